using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;

namespace Centrum.Dashboards.Tests;

/// <summary>The dashboards area's rules on a real SQLite store: ETags, personal dashboards, organization reach, limits.</summary>
public sealed class DashboardServiceTests
{
    private const string App = DashboardStore.App;
    private const string Alice = "alice@example.com";
    private const string Bob = "bob@example.com";
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;

    /// <summary>The reach of a member whose roles do not grant the dashboards permission at all.</summary>
    private static readonly OrganizationReach NoPermission = OrganizationReach.Within([]);

    private static Tile Markdown(string text = "Hello", string id = "") =>
        new(id, "Notes", 0, 0, 2, 2, JsonDocument.Parse(JsonSerializer.Serialize(new { type = "markdown", description = text })).RootElement.Clone());

    private static DashboardWrite Write(string name = "Ops", bool personal = false, IReadOnlyList<Tile>? tiles = null, params string[] organizations) =>
        new(name, tiles ?? [Markdown()], personal, Favorite: false, organizations);

    [Fact]
    public async Task A_dashboard_is_written_read_patched_and_deleted_with_its_etag_checked()
    {
        await using var store = await DashboardStore.StartAsync();
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "dashboards_create.json")))!;
        var tiles = TileJson.Read(example["parameters"]!["body"]!["tiles"]);
        var created = await store.Dashboards.CreateAsync(App, "urn:homepageView:one", Alice, Write(tiles: tiles), null, All, default);
        Assert.True(created.Succeeded, created.Problem?.Message);
        Assert.Equal(tiles.Count, created.Value!.Tiles.Count);
        Assert.All(created.Value.Tiles, t => Assert.Equal(32, t.Id.Length));
        Assert.Equal(tiles.Select(t => t.Type), created.Value.Tiles.Select(t => t.Type));

        var stale = await store.Dashboards.UpdateAsync(App, "urn:homepageView:one", Alice, d => d with { DisplayName = "Renamed" }, "not-the-etag", All, default);
        Assert.Equal(ProblemKind.PreconditionFailed, stale.Problem?.Kind);
        var renamed = await store.Dashboards.UpdateAsync(App, "urn:homepageView:one", Alice, d => d with { DisplayName = "Renamed" }, created.Value.ETag, All, default);
        Assert.Equal("Renamed", renamed.Value?.DisplayName);
        Assert.Equal(created.Value.Tiles.Select(t => t.Id), renamed.Value!.Tiles.Select(t => t.Id));
        Assert.NotEqual(created.Value.ETag, renamed.Value.ETag);
        Assert.Equal(ProblemKind.PreconditionFailed, (await store.Dashboards.CreateAsync(App, "urn:homepageView:one", Alice, Write(), created.Value.ETag, All, default)).Problem?.Kind);

        Assert.Equal("Renamed", (await store.Dashboards.GetAsync(App, "urn:homepageView:one", Bob, All, default)).Value?.DisplayName);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.GetAsync(DashboardStore.OtherApp, "urn:homepageView:one", Alice, All, default)).Problem?.Kind);
        Assert.True((await store.Dashboards.DeleteAsync(App, "urn:homepageView:one", Alice, All, default)).Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.GetAsync(App, "urn:homepageView:one", Alice, All, default)).Problem?.Kind);
    }

    [Fact]
    public async Task A_personal_dashboard_is_its_owners_alone()
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");
        var mine = await store.Dashboards.CreateAsync(App, "mine", Alice, Write("Mine", personal: true), null, NoPermission, default);
        Assert.True(mine.Succeeded, mine.Problem?.Message);
        Assert.True(mine.Value!.Personal);

        // Nobody else sees, lists, changes, replaces or deletes it, however far their reach.
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.GetAsync(App, "mine", Bob, All, default)).Problem?.Kind);
        Assert.Empty((await store.Dashboards.ListAsync(App, Bob, new ListRequest(null, null, null), 100, All, default)).Value!.Dashboards);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.UpdateAsync(App, "mine", Bob, d => d with { DisplayName = "Taken" }, null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.CreateAsync(App, "mine", Bob, Write("Taken", personal: true), null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.CreateAsync(App, "mine", Bob, Write("Taken"), null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.DeleteAsync(App, "mine", Bob, All, default)).Problem?.Kind);

        // Its owner lists and changes it without any dashboards permission; it stays personal and in no organization.
        Assert.Equal(["mine"], (await store.Dashboards.ListAsync(App, Alice, new ListRequest(null, null, null), 100, NoPermission, default)).Value!.Dashboards.Select(d => d.Id));
        Assert.Equal("Mine too", (await store.Dashboards.UpdateAsync(App, "mine", Alice, d => d with { DisplayName = "Mine too" }, null, NoPermission, default)).Value?.DisplayName);
        Assert.Equal(ProblemKind.Invalid, (await store.Dashboards.UpdateAsync(App, "mine", Alice, d => d with { Personal = false }, null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.Dashboards.CreateAsync(App, "mine", Alice, Write("Shared"), null, All, default)).Problem?.Kind);
        var placed = await store.Dashboards.CreateAsync(App, "placed", Alice, Write("Placed", personal: true, organizations: "north"), null, All, default);
        Assert.Contains("a personal dashboard belongs to no organization", placed.Problem?.Message, StringComparison.Ordinal);
        Assert.True((await store.Dashboards.DeleteAsync(App, "mine", Alice, NoPermission, default)).Succeeded);
    }

    [Fact]
    public async Task Application_dashboards_are_seen_and_placed_only_within_reach()
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "north-east", parent: "north");
        store.Organizations.Add(App, "south");
        var north = OrganizationReach.Within(["north", "north-east"]);
        Assert.True((await store.Dashboards.CreateAsync(App, "root", Alice, Write("Root"), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(App, "south", Alice, Write("South", organizations: "south"), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(App, "ne", Bob, Write("North-east", organizations: "north-east"), null, north, default)).Succeeded);

        // Placing one outside the reach, or in no organization (the whole application), is refused; so is making one without the permission.
        Assert.Equal(ProblemKind.Forbidden, (await store.Dashboards.CreateAsync(App, "x", Bob, Write("X", organizations: "south"), null, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.Dashboards.CreateAsync(App, "x", Bob, Write("X"), null, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.Dashboards.CreateAsync(App, "x", Bob, Write("X", organizations: "north"), null, NoPermission, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.Dashboards.UpdateAsync(App, "ne", Bob, d => d with { Organizations = ["south"] }, null, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.Dashboards.CreateAsync(App, "x", Alice, Write("X", organizations: "nowhere"), null, All, default)).Problem?.Kind);

        var seenByNorth = await store.Dashboards.ListAsync(App, Bob, new ListRequest(null, null, null), 100, north, default);
        Assert.Equal(["ne"], seenByNorth.Value!.Dashboards.Select(d => d.Id));
        Assert.Equal(["ne", "root", "south"], (await store.Dashboards.ListAsync(App, Bob, new ListRequest(null, null, null), 100, All, default)).Value!.Dashboards.Select(d => d.Id).Order());
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.GetAsync(App, "south", Bob, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.DeleteAsync(App, "root", Bob, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Dashboards.GetAsync(App, "ne", Bob, NoPermission, default)).Problem?.Kind);
    }

    [Fact]
    public async Task Lists_page_filter_and_order_by_display_name()
    {
        await using var store = await DashboardStore.StartAsync();
        foreach (var name in new[] { "Delta", "Alpha", "Echo", "Charlie", "Bravo" })
        {
            Assert.True((await store.Dashboards.CreateAsync(App, name.ToLowerInvariant(), Alice, Write(name, personal: name == "Echo"), null, All, default)).Succeeded);
        }

        var names = new List<string>();
        string? after = null;
        do
        {
            var page = await store.Dashboards.ListAsync(App, Alice, new ListRequest(null, "displayName desc", after), 2, All, default);
            Assert.True(page.Value!.Dashboards.Count <= 2);
            names.AddRange(page.Value.Dashboards.Select(d => d.DisplayName));
            after = page.Value.ContinueAfter;
        }
        while (after is not null);

        Assert.Equal(["Echo", "Delta", "Charlie", "Bravo", "Alpha"], names);
        var personal = await store.Dashboards.ListAsync(App, Alice, new ListRequest("personal eq true", null, null), 10, All, default);
        Assert.Equal(["Echo"], personal.Value!.Dashboards.Select(d => d.DisplayName));
        var contains = await store.Dashboards.ListAsync(App, Alice, new ListRequest("contains(displayName, 'ha')", null, null), 10, All, default);
        Assert.Equal(["Alpha", "Charlie"], contains.Value!.Dashboards.Select(d => d.DisplayName).Order());
        Assert.Equal(ProblemKind.Invalid, (await store.Dashboards.ListAsync(App, Alice, new ListRequest("tiles eq 'x'", null, null), 10, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.Dashboards.ListAsync(App, Alice, new ListRequest(null, null, null), 101, All, default)).Problem?.Kind);
    }

    public static TheoryData<string, DashboardWrite, string> RefusedWrites => new()
    {
        { "bad id!", Write(), "Dashboard id 'bad id!' is not valid" },
        { new string('a', 129), Write(), "is not valid: use 1 to 128" },
        { "d", Write(" "), "displayName is required" },
        { "d", Write(tiles: Enumerable.Range(0, 101).Select(_ => Markdown()).ToList()), "tiles holds at most 100 tiles" },
        { "d", Write(tiles: [Markdown(id: "t1"), Markdown(id: "t1")]), "the tile id 't1' is given twice" },
        { "d", Write(tiles: [Markdown() with { Configuration = JsonDocument.Parse("""{"type":"gauge"}""").RootElement }]), "tiles[0].configuration.type 'gauge' is not a tile type" },
        { "d", Write(tiles: [Markdown(), Markdown() with { Width = 12 }]), "tiles[1].width must be between 1 and 10" },
        { "d", Write(tiles: [Markdown(id: "no spaces")]), "tiles[0].id must be at most 64" },
        { "d", Write(organizations: ["north", "north"]), "an organization is listed twice" },
    };

    [Theory]
    [MemberData(nameof(RefusedWrites))]
    public async Task A_write_that_breaks_a_rule_is_refused_naming_it(string id, DashboardWrite write, string message)
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");

        var refused = await store.Dashboards.CreateAsync(App, id, Alice, write, null, All, default);

        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Contains(message, refused.Problem!.Message, StringComparison.Ordinal);
        Assert.Empty((await store.Dashboards.ListAsync(App, Alice, new ListRequest(null, null, null), 10, All, default)).Value!.Dashboards);
    }

    [Fact]
    public async Task An_application_holds_at_most_the_configured_number_of_dashboards()
    {
        await using var store = await DashboardStore.StartAsync(new Dictionary<string, string?> { ["Centrum:Dashboards:MaxDashboardsPerApplication"] = "2" });
        Assert.True((await store.Dashboards.CreateAsync(App, "a", Alice, Write(), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(App, "b", Bob, Write(personal: true), null, All, default)).Succeeded);

        Assert.Equal(ProblemKind.LimitReached, (await store.Dashboards.CreateAsync(App, "c", Alice, Write(), null, All, default)).Problem?.Kind);
        Assert.True((await store.Dashboards.CreateAsync(App, "a", Alice, Write("Replaced"), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(DashboardStore.OtherApp, "c", Alice, Write(), null, All, default)).Succeeded);
    }
}
