using Centrum.Organizations;
using Centrum.Outcomes;

namespace Centrum.Dashboards.Tests;

/// <summary>The saved data-explorer queries' rules on a real SQLite store: owners, scope and reach, limits, refusals naming the member.</summary>
public sealed class SavedQueryServiceTests
{
    private const string App = DashboardStore.App;
    private const string Alice = "alice@example.com";
    private const string Bob = "bob@example.com";
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;

    /// <summary>The reach of a member whose roles do not grant the dashboards permission at all.</summary>
    private static readonly OrganizationReach NoPermission = OrganizationReach.Within([]);

    private static SavedQueryDefinition Definition(string? duration = "P7D", DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new("dtmi:contoso:thermostat;1", null, [new SavedQueryField(null, "temperature", "avg"), new SavedQueryField("sensor", "humidity", "max")], "PT1H", duration, from, to, null);

    private static SavedQueryWrite Write(string name = "Heat", bool personal = false, SavedQueryDefinition? query = null, params string[] organizations) =>
        new(name, query ?? Definition(), personal, organizations);

    [Fact]
    public async Task A_query_saved_again_keeps_its_id_and_name_and_a_stale_etag_or_another_members_personal_query_is_refused()
    {
        await using var store = await DashboardStore.StartAsync();
        var saved = await store.SavedQueries.CreateAsync(App, Alice, Write(), All, default);
        Assert.True(saved.Succeeded, saved.Problem?.Message);

        var changed = Definition("P1D") with { Window = "PT5M" };
        Assert.Equal(ProblemKind.PreconditionFailed, (await store.SavedQueries.UpdateAsync(App, saved.Value!.Id, Alice, changed, "stale", All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.SavedQueries.UpdateAsync(App, saved.Value.Id, Alice, changed with { Window = "PT7M" }, saved.Value.ETag, All, default)).Problem?.Kind);
        var updated = await store.SavedQueries.UpdateAsync(App, saved.Value.Id, Alice, changed, saved.Value.ETag, All, default);
        Assert.True(updated.Succeeded, updated.Problem?.Message);
        Assert.NotEqual(saved.Value.ETag, updated.Value!.ETag);

        var read = await store.SavedQueries.GetAsync(App, saved.Value.Id, Bob, All, default);
        Assert.Equal(("Heat", "P1D", "PT5M"), (read.Value?.DisplayName, read.Value?.Query.Duration, read.Value?.Query.Window));
        Assert.Single(await store.SavedQueries.ListAsync(App, Alice, All, default));
        Assert.Equal(ProblemKind.PreconditionFailed, (await store.SavedQueries.UpdateAsync(App, saved.Value.Id, Alice, Definition(), saved.Value.ETag, All, default)).Problem?.Kind);

        var mine = await store.SavedQueries.CreateAsync(App, Alice, Write("Mine", personal: true), NoPermission, default);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.UpdateAsync(App, mine.Value!.Id, Bob, changed, null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.UpdateAsync(App, saved.Value.Id, Alice, changed, null, NoPermission, default)).Problem?.Kind);
    }

    [Fact]
    public async Task A_query_is_saved_read_renamed_and_deleted_as_written()
    {
        await using var store = await DashboardStore.StartAsync();
        var from = new DateTimeOffset(2026, 1, 31, 2, 0, 0, TimeSpan.FromHours(2));
        var saved = await store.SavedQueries.CreateAsync(App, Alice, Write(query: Definition(null, from, from.AddDays(1))), All, default);
        Assert.True(saved.Succeeded, saved.Problem?.Message);
        Assert.Equal(32, saved.Value!.Id.Length);

        var read = await store.SavedQueries.GetAsync(App, saved.Value.Id, Bob, All, default);
        Assert.Equal("Heat", read.Value?.DisplayName);
        Assert.Equal(from.ToUniversalTime(), read.Value!.Query.From);
        Assert.Equal(TimeSpan.Zero, read.Value.Query.From!.Value.Offset);
        Assert.Equal(["temperature", "humidity"], read.Value.Query.Fields!.Select(f => f.Name));
        Assert.Equal("sensor", read.Value.Query.Fields![1].Component);
        Assert.Equal("PT1H", read.Value.Query.Window);

        Assert.Equal(ProblemKind.PreconditionFailed, (await store.SavedQueries.RenameAsync(App, saved.Value.Id, Alice, "Hot", "stale", All, default)).Problem?.Kind);
        var renamed = await store.SavedQueries.RenameAsync(App, saved.Value.Id, Alice, "Hot", saved.Value.ETag, All, default);
        Assert.Equal("Hot", renamed.Value?.DisplayName);
        Assert.NotEqual(saved.Value.ETag, renamed.Value!.ETag);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.GetAsync(DashboardStore.OtherApp, saved.Value.Id, Alice, All, default)).Problem?.Kind);

        Assert.True((await store.SavedQueries.DeleteAsync(App, saved.Value.Id, Alice, All, default)).Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.GetAsync(App, saved.Value.Id, Alice, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.DeleteAsync(App, saved.Value.Id, Alice, All, default)).Problem?.Kind);
    }

    [Fact]
    public async Task A_personal_query_is_its_owners_alone_and_needs_no_permission()
    {
        await using var store = await DashboardStore.StartAsync();
        var mine = await store.SavedQueries.CreateAsync(App, Alice, Write("Mine", personal: true), NoPermission, default);
        Assert.True(mine.Succeeded, mine.Problem?.Message);
        var shared = await store.SavedQueries.CreateAsync(App, Bob, Write("Shared"), All, default);
        Assert.True(shared.Succeeded, shared.Problem?.Message);

        // Bob sees the application's query and not Alice's, even application-wide; Alice without the permission sees only hers.
        Assert.Equal(["Shared"], (await store.SavedQueries.ListAsync(App, Bob, All, default)).Select(q => q.DisplayName));
        Assert.Equal(["Mine"], (await store.SavedQueries.ListAsync(App, Alice, NoPermission, default)).Select(q => q.DisplayName));
        Assert.Equal(["Mine", "Shared"], (await store.SavedQueries.ListAsync(App, Alice, All, default)).Select(q => q.DisplayName));
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.GetAsync(App, mine.Value!.Id, Bob, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.RenameAsync(App, mine.Value.Id, Bob, "Taken", null, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.DeleteAsync(App, mine.Value.Id, Bob, All, default)).Problem?.Kind);
        Assert.Equal("Mine", (await store.SavedQueries.GetAsync(App, mine.Value.Id, Alice, NoPermission, default)).Value?.DisplayName);

        // Without the dashboards permission, an application query is neither saved nor seen, renamed or deleted.
        Assert.Equal(ProblemKind.Forbidden, (await store.SavedQueries.CreateAsync(App, Alice, Write("App"), NoPermission, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.RenameAsync(App, shared.Value!.Id, Alice, "Taken", null, NoPermission, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.DeleteAsync(App, shared.Value.Id, Alice, NoPermission, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.SavedQueries.CreateAsync(App, Alice, Write("Placed", personal: true, organizations: "north"), All, default)).Problem?.Kind);
    }

    [Fact]
    public async Task An_application_query_lies_within_the_callers_reach()
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "north-east", parent: "north");
        store.Organizations.Add(App, "south");
        var north = OrganizationReach.Within(["north", "north-east"]);

        var ne = await store.SavedQueries.CreateAsync(App, Alice, Write("NE", organizations: "north-east"), north, default);
        Assert.True(ne.Succeeded, ne.Problem?.Message);
        Assert.Equal(ProblemKind.Forbidden, (await store.SavedQueries.CreateAsync(App, Alice, Write("South", organizations: "south"), north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.SavedQueries.CreateAsync(App, Alice, Write("Root"), north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.SavedQueries.CreateAsync(App, Alice, Write("Nowhere", organizations: "west"), All, default)).Problem?.Kind);
        var south = await store.SavedQueries.CreateAsync(App, Bob, Write("S", organizations: "south"), All, default);
        var root = await store.SavedQueries.CreateAsync(App, Bob, Write("R"), All, default);

        Assert.Equal(["NE"], (await store.SavedQueries.ListAsync(App, Alice, north, default)).Select(q => q.DisplayName));
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.GetAsync(App, south.Value!.Id, Alice, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.SavedQueries.GetAsync(App, root.Value!.Id, Alice, north, default)).Problem?.Kind);
        Assert.Equal(["NE", "R", "S"], (await store.SavedQueries.ListAsync(App, Bob, All, default)).Select(q => q.DisplayName));
    }

    [Fact]
    public async Task An_application_and_a_member_hold_at_most_the_configured_number_of_queries()
    {
        await using var store = await DashboardStore.StartAsync(new Dictionary<string, string?>
        {
            ["Centrum:Dashboards:MaxSavedQueriesPerApplication"] = "3",
            ["Centrum:Dashboards:MaxSavedQueriesPerMember"] = "2",
        });
        Assert.True((await store.SavedQueries.CreateAsync(App, Alice, Write(personal: true), All, default)).Succeeded);
        Assert.True((await store.SavedQueries.CreateAsync(App, Alice, Write(personal: true), All, default)).Succeeded);
        var third = await store.SavedQueries.CreateAsync(App, Alice, Write(personal: true), All, default);
        Assert.Equal(ProblemKind.LimitReached, third.Problem?.Kind);
        Assert.Contains("at most 2 personal", third.Problem!.Message, StringComparison.Ordinal);

        Assert.True((await store.SavedQueries.CreateAsync(App, Bob, Write(personal: true), All, default)).Succeeded);
        var fourth = await store.SavedQueries.CreateAsync(App, Bob, Write(), All, default);
        Assert.Equal(ProblemKind.LimitReached, fourth.Problem?.Kind);
        Assert.Contains("at most 3 saved queries", fourth.Problem!.Message, StringComparison.Ordinal);
        Assert.True((await store.SavedQueries.CreateAsync(DashboardStore.OtherApp, Bob, Write(), All, default)).Succeeded);
    }

    public static TheoryData<SavedQueryWrite, string> RefusedWrites()
    {
        var at = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);
        var query = Definition();
        return new()
        {
            { Write(" "), "displayName is required" },
            { Write(new string('n', 1025)), "displayName takes at most 1024" },
            { new SavedQueryWrite("Q", null, false, []), "query is required" },
            { Write(query: query with { Template = "" }), "query.template must be" },
            { Write(query: query with { Template = "dtmi:x;1 WHERE 1=1" }), "query.template must be" },
            { Write(query: query with { Group = "" }), "query.group must be" },
            { Write(query: query with { Fields = [] }), "query.fields must hold 1 to 100" },
            { Write(query: query with { Fields = Enumerable.Range(0, 101).Select(i => new SavedQueryField(null, $"t{i}", "avg")).ToList() }), "query.fields must hold 1 to 100" },
            { Write(query: query with { Fields = [new(null, "temperature", "avg"), new(null, "bad name", "avg")] }), "query.fields[1].name must be a DTDL name" },
            { Write(query: query with { Fields = [new("1st", "temperature", "avg")] }), "query.fields[0].component must be a DTDL name" },
            { Write(query: query with { Fields = [new(null, "temperature", "median")] }), "query.fields[0].aggregate must be one of" },
            { Write(query: query with { Fields = [new(null, "temperature", "avg"), new(null, "temperature", "max")] }), "query.fields[1] names a field already selected" },
            { Write(query: query with { Window = "PT2M" }), "query.window must be one of" },
            { Write(query: query with { Duration = "P2D" }), "query.duration must be one of" },
            { Write(query: query with { From = at }), "give a duration or from and to, not both" },
            { Write(query: query with { Duration = null, From = at }), "give a duration, or both from and to" },
            { Write(query: query with { Duration = null, From = at, To = at }), "query.to must be later than query.from" },
            { Write(query: query with { Top = 0 }), "query.top must be between 1 and" },
            { Write(organizations: ["north", "north"]), "an organization is listed twice" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedWrites))]
    public async Task A_write_that_breaks_a_rule_is_refused_naming_the_member(SavedQueryWrite write, string message)
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");

        var refused = await store.SavedQueries.CreateAsync(App, Alice, write, All, default);

        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Contains(message, refused.Problem!.Message, StringComparison.Ordinal);
        Assert.Empty(await store.SavedQueries.ListAsync(App, Alice, All, default));
        Assert.Equal(ProblemKind.Invalid, (await store.SavedQueries.RenameAsync(App, "any", Alice, "", null, All, default)).Problem?.Kind);
    }
}
