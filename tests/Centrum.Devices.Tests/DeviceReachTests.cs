using Centrum.Organizations;
using Centrum.Outcomes;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>
/// A caller limited to organizations (IoT Central documentation, "Manage IoT Central organizations": a user assigned
/// to an organization sees only its devices and those of its descendants) places devices only within its reach and sees
/// devices outside it as not there, however it asks: read, list, replace, update, delete, credentials.
/// </summary>
public sealed class DeviceReachTests : IAsyncLifetime
{
    private static readonly string[] ReachedOutsideTheRange = ["both-1", "n-1"];

    private static readonly OrganizationReach North = OrganizationReach.Within(["north"]);
    private DeviceStore _store = null!;

    private DeviceRegistry Registry => _store.Registry;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Templates.Add(App, "fan", "dtmi:com:example:Fan;1");
        _store.Organizations.Add(App, "north", "south");
        foreach (var (id, organizations) in new[] { ("n-1", new[] { "north" }), ("s-1", ["south"]), ("both-1", ["north", "south"]), ("app-wide-1", []) })
        {
            var created = await Registry.CreateOrReplaceAsync(App, id, new DeviceWrite(id, "fan", true, false, organizations), null, OrganizationReach.WholeApplication, CancellationToken.None);
            Assert.True(created.Succeeded, created.Problem?.Message);
        }
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Theory]
    [InlineData("south")]
    [InlineData("north,south")]
    [InlineData("")]
    public async Task A_limited_caller_may_not_create_a_device_outside_its_reach_or_in_no_organization(string organizations)
    {
        var write = new DeviceWrite(null, null, true, false, organizations.Split(',', StringSplitOptions.RemoveEmptyEntries));

        var outcome = await Registry.CreateOrReplaceAsync(App, "new-1", write, null, North, CancellationToken.None);

        Assert.Equal((ProblemKind.Forbidden, "Forbidden", "The device must belong to organizations within your reach."), (outcome.Problem?.Kind, outcome.Problem?.Code, outcome.Problem?.Message));
        Assert.Null(await Registry.GetAsync(App, "new-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_limited_caller_creates_a_device_within_its_reach()
    {
        var outcome = await Registry.CreateOrReplaceAsync(App, "new-1", new DeviceWrite(null, null, true, false, ["north"]), null, North, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(["north"], outcome.Value.Organizations);
    }

    [Fact]
    public async Task A_caller_with_no_organization_reaches_nothing()
    {
        var none = OrganizationReach.Within([]);

        Assert.Equal(ProblemKind.Forbidden, (await Registry.CreateOrReplaceAsync(App, "new-1", new DeviceWrite(null, null, true, false, ["north"]), null, none, CancellationToken.None)).Problem?.Kind);
        Assert.Empty((await Registry.ListAsync(App, (string?)null, 100, none, CancellationToken.None)).Devices);
        Assert.Equal(ProblemKind.NotFound, (await Registry.FindAsync(App, "n-1", none, CancellationToken.None)).Problem?.Kind);
    }

    [Theory]
    [InlineData("south")]
    [InlineData("north,south")]
    [InlineData("")]
    public async Task A_limited_caller_may_not_move_a_device_out_of_its_reach(string organizations)
    {
        var before = await Registry.GetAsync(App, "n-1", CancellationToken.None);

        var outcome = await Registry.UpdateAsync(App, "n-1", d => d with { Organizations = organizations.Split(',', StringSplitOptions.RemoveEmptyEntries) }, null, North, CancellationToken.None);

        Assert.Equal(ProblemKind.Forbidden, outcome.Problem?.Kind);
        AssertSameDevice(before, await Registry.GetAsync(App, "n-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_device_partly_outside_the_reach_is_seen_but_a_write_must_bring_it_within()
    {
        Assert.True((await Registry.FindAsync(App, "both-1", North, CancellationToken.None)).Succeeded);

        var rename = await Registry.UpdateAsync(App, "both-1", d => d with { DisplayName = "Renamed" }, null, North, CancellationToken.None);
        var narrowed = await Registry.UpdateAsync(App, "both-1", d => d with { Organizations = ["north"] }, null, North, CancellationToken.None);

        Assert.Equal(ProblemKind.Forbidden, rename.Problem?.Kind);
        Assert.True(narrowed.Succeeded);
    }

    [Theory]
    [InlineData("s-1")]
    [InlineData("app-wide-1")]
    [InlineData("ghost-1")]
    public async Task A_device_outside_the_reach_is_not_found_whatever_the_caller_does(string deviceId)
    {
        var before = await Registry.GetAsync(App, deviceId, CancellationToken.None);
        var patched = false;

        var outcomes = new Problem?[]
        {
            (await Registry.FindAsync(App, deviceId, North, CancellationToken.None)).Problem,
            (await Registry.UpdateAsync(App, deviceId, d => { patched = true; return d with { Organizations = ["north"] }; }, null, North, CancellationToken.None)).Problem,
            (await Registry.DeleteAsync(App, deviceId, North, CancellationToken.None)).Problem,
            (await Registry.SetAttestationAsync(App, deviceId, null, North, CancellationToken.None)).Problem,
            (await Registry.CredentialsAsync(App, deviceId, North, CancellationToken.None)).Problem,
        };
        var replaced = await Registry.CreateOrReplaceAsync(App, deviceId, new DeviceWrite(null, null, true, false, ["north"]), null, North, CancellationToken.None);

        Assert.All(outcomes, p => Assert.Equal((ProblemKind.NotFound, $"Device '{deviceId}' was not found."), (p?.Kind, p?.Message)));
        Assert.False(patched);
        if (before is null)
        {
            // A device that does not exist is created: nothing outside the reach was touched.
            Assert.True(replaced.Succeeded);
        }
        else
        {
            Assert.Equal(ProblemKind.NotFound, replaced.Problem?.Kind);
            AssertSameDevice(before, await Registry.GetAsync(App, deviceId, CancellationToken.None));
            Assert.Empty(_store.Connections.Closed);
        }
    }

    [Fact]
    public async Task A_limited_caller_deletes_a_device_within_its_reach()
    {
        Assert.True((await Registry.DeleteAsync(App, "n-1", North, CancellationToken.None)).Succeeded);
        Assert.Null(await Registry.GetAsync(App, "n-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_list_holds_only_the_devices_within_reach_and_its_pages_are_full()
    {
        // Many devices outside the reach between the ones within: pages must still fill rather than come back short.
        for (var i = 0; i < 450; i++)
        {
            var organizations = i % 9 == 0 ? new[] { "north" } : ["south"];
            Assert.True((await Registry.CreateOrReplaceAsync(App, $"m-{i:D3}", new DeviceWrite(null, "fan", true, false, organizations), null, OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        }

        var expected = ReachedOutsideTheRange.Concat(Enumerable.Range(0, 450).Where(i => i % 9 == 0).Select(i => $"m-{i:D3}")).Order(StringComparer.Ordinal).ToList();
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Registry.ListAsync(App, after, 7, North, CancellationToken.None);
            Assert.True(page.ContinueAfter is null || page.Devices.Count == 7, $"page {pages} has {page.Devices.Count} devices");
            seen.AddRange(page.Devices.Select(d => d.Id));
            after = page.ContinueAfter;
            pages++;
        }
        while (after is not null && pages < 100);

        Assert.Equal(expected, seen);
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await Registry.IdsByTemplateAsync(App, "fan", North, CancellationToken.None)).Order(StringComparer.Ordinal));
        Assert.Equal(454, (await Registry.IdsByTemplateAsync(App, "fan", OrganizationReach.WholeApplication, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_caller_reaching_few_devices_among_many_is_answered_by_the_database_or_within_a_read_budget()
    {
        // 2,500 devices of the south, then three of the north after them in id order.
        await using (var db = await _store.ContextAsync())
        {
            for (var i = 0; i < 2500; i++)
            {
                db.Devices.Add(Entity($"x-{i:D4}", """["south"]"""));
            }

            db.Devices.AddRange(Entity("z-1", """["north"]"""), Entity("z-2", """["north"]"""), Entity("z-3", """["east","north"]"""));
            await db.SaveChangesAsync();
        }

        // A reach of a few organizations is a condition of the query: one request finds the north's devices past the south's.
        var page = await Registry.ListAsync(App, "x-0000", 10, North, CancellationToken.None);
        Assert.Equal(["z-1", "z-2", "z-3"], page.Devices.Select(d => d.Id));
        Assert.Null(page.ContinueAfter);

        // A reach too wide to spell out in the query is applied to the rows read, at most ListScanBudget per request:
        // the first page ends short with where to continue, and going on finds every device within reach, once.
        var wide = OrganizationReach.Within(Enumerable.Range(0, 70).Select(i => $"org-{i}").Append("north"));
        var seen = new List<string>();
        var after = (string?)"x-0000";
        var requests = 0;
        do
        {
            var next = await Registry.ListAsync(App, after, 10, wide, CancellationToken.None);
            seen.AddRange(next.Devices.Select(d => d.Id));
            after = next.ContinueAfter;
            requests++;
        }
        while (after is not null && requests < 10);

        Assert.Equal(["z-1", "z-2", "z-3"], seen);
        Assert.Equal(2, requests);
    }

    private static Centrum.Storage.Entities.DeviceEntity Entity(string id, string organizations) => new()
    {
        ApplicationId = App, Id = id, DisplayName = id, Organizations = organizations, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e",
    };
}
