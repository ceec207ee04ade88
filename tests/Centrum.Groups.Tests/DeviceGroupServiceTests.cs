using System.Text.Json.Nodes;
using Centrum.Organizations;
using Centrum.Outcomes;

namespace Centrum.Groups.Tests;

/// <summary>The groups area's rules and its members, on a real SQLite store with the real devices and twins areas.</summary>
public sealed class DeviceGroupServiceTests
{
    private const string App = GroupStore.App;
    private const string Template = "dtmi:com:example:Vending;1";
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;

    private static DeviceGroupWrite Write(string filter, params string[] organizations) => new("Group", filter, null, organizations);

    [Fact]
    public async Task A_group_is_written_read_patched_and_deleted_with_its_etag_checked()
    {
        await using var store = await GroupStore.StartAsync();
        var created = await store.Groups.CreateOrReplaceAsync(App, "vending", Write($"SELECT * FROM devices WHERE $template = \"{Template}\""), null, All, default);
        Assert.True(created.Succeeded, created.Problem?.Message);

        var stale = await store.Groups.UpdateAsync(App, "vending", g => g with { DisplayName = "Renamed" }, "not-the-etag", All, default);
        Assert.Equal(ProblemKind.PreconditionFailed, stale.Problem?.Kind);
        var renamed = await store.Groups.UpdateAsync(App, "vending", g => g with { DisplayName = "Renamed" }, created.Value!.ETag, All, default);
        Assert.Equal("Renamed", renamed.Value?.DisplayName);
        Assert.NotEqual(created.Value.ETag, renamed.Value!.ETag);
        var replacedWithOldETag = await store.Groups.CreateOrReplaceAsync(App, "vending", Write("SELECT * FROM devices"), created.Value.ETag, All, default);
        Assert.Equal(ProblemKind.PreconditionFailed, replacedWithOldETag.Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await store.Groups.CreateOrReplaceAsync(App, "fresh", Write("SELECT * FROM devices"), "some-etag", All, default)).Problem?.Kind);

        Assert.Equal("Renamed", (await store.Groups.GetAsync(App, "vending", All, default)).Value?.DisplayName);
        Assert.Equal(ProblemKind.NotFound, (await store.Groups.GetAsync(GroupStore.OtherApp, "vending", All, default)).Problem?.Kind);
        Assert.True((await store.Groups.DeleteAsync(App, "vending", All, default)).Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await store.Groups.GetAsync(App, "vending", All, default)).Problem?.Kind);
    }

    public static TheoryData<string, DeviceGroupWrite, string> Refused => new()
    {
        { "bad id!", Write("SELECT * FROM devices"), "Device group id 'bad id!' is not valid" },
        { "g", new DeviceGroupWrite(null, "SELECT * FROM devices", null, []), "displayName is required" },
        { "g", new DeviceGroupWrite("G", null, null, []), "filter is required" },
        { "g", Write("SELECT * FROM devices WHERE $id IN (\"a\")"), "filter: 'IN' at position 32 is not supported" },
        { "g", Write("SELECT * FROM devices", "nowhere"), "organizations: the organization 'nowhere' does not exist" },
        { "g", Write("SELECT * FROM devices", "north", "north"), "an organization is listed twice" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_write_that_breaks_a_rule_is_refused_naming_it(string id, DeviceGroupWrite write, string message)
    {
        await using var store = await GroupStore.StartAsync();
        store.Organizations.Add(App, "north");

        var refused = await store.Groups.CreateOrReplaceAsync(App, id, write, null, All, default);

        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Contains(message, refused.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_limited_to_organizations_sees_and_places_groups_only_within_them()
    {
        await using var store = await GroupStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "south");
        var north = OrganizationReach.Within(["north"]);
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "south-group", Write("SELECT * FROM devices", "south"), null, All, default)).Succeeded);
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "everything", Write("SELECT * FROM devices"), null, All, default)).Succeeded);

        Assert.Equal(ProblemKind.Forbidden, (await store.Groups.CreateOrReplaceAsync(App, "mine", Write("SELECT * FROM devices", "south"), null, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.Groups.CreateOrReplaceAsync(App, "mine", Write("SELECT * FROM devices"), null, north, default)).Problem?.Kind);
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "mine", Write("SELECT * FROM devices", "north"), null, north, default)).Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await store.Groups.GetAsync(App, "south-group", north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Groups.CreateOrReplaceAsync(App, "south-group", Write("SELECT * FROM devices", "north"), null, north, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await store.Groups.UpdateAsync(App, "mine", g => g with { Organizations = ["south"] }, null, north, default)).Problem?.Kind);

        var listed = await store.Groups.ListAsync(App, new(null, null, null), 100, north, default);
        Assert.Equal(["mine"], listed.Value!.Groups.Select(g => g.Id));
        var everything = await store.Groups.ListAsync(App, new("contains(displayName, 'group')", "displayName", null), 100, All, default);
        Assert.Equal(3, everything.Value!.Groups.Count);
        Assert.Equal(ProblemKind.Invalid, (await store.Groups.ListAsync(App, new("template eq 'x'", null, null), 10, All, default)).Problem?.Kind);
    }

    [Fact]
    public async Task Members_follow_the_filter_the_callers_reach_and_the_groups_organizations_when_asked()
    {
        await using var store = await GroupStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "north-east", "north");
        store.Organizations.Add(App, "south");
        await store.AddDevicesAsync([
            GroupStore.Device("a-provisioned", Template, provisioned: true, organizations: "[\"north-east\"]"),
            GroupStore.Device("b-waiting", Template, organizations: "[\"north\"]"),
            GroupStore.Device("c-south", Template, provisioned: true, organizations: "[\"south\"]"),
            GroupStore.Device("d-other", "dtmi:com:example:Other;1", provisioned: true),
            GroupStore.Device("e-unassigned", provisioned: true),
            GroupStore.Device("f-foreign", Template, provisioned: true, application: GroupStore.OtherApp),
        ]);
        var filter = $"SELECT * FROM devices WHERE $template = \"{Template}\" AND $provisioned = true";
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "ready", Write(filter), null, All, default)).Succeeded);
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "ready-north", Write(filter, "north"), null, All, default)).Succeeded);

        Assert.Equal(["a-provisioned", "c-south"], await MemberIdsAsync(store, "ready", All));
        Assert.Equal(["a-provisioned"], await MemberIdsAsync(store, "ready-north", All));
        Assert.Equal(["a-provisioned"], await MemberIdsAsync(store, "ready-north", OrganizationReach.Within(["north", "north-east"])));
        Assert.Empty(await MemberIdsAsync(store, "ready-north", OrganizationReach.Within(["north"])));

        // Provisioning the waiting device makes it a member at once: nothing was copied that would need refreshing.
        await store.Devices.ProvisionAsync(App, "b-waiting", autoApprove: true, null, null, null, default);
        Assert.Equal(["a-provisioned", "b-waiting"], await MemberIdsAsync(store, "ready-north", All));
    }

    [Fact]
    public async Task A_preview_of_an_unsaved_filter_is_the_membership_the_saved_group_gets()
    {
        await using var store = await GroupStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "south");
        await store.AddDevicesAsync([
            GroupStore.Device("p-north", Template, organizations: "[\"north\"]"),
            GroupStore.Device("p-south", Template, organizations: "[\"south\"]"),
            GroupStore.Device("p-other", "dtmi:com:example:Other;1", organizations: "[\"north\"]"),
        ]);
        await ReportAsync(store, "p-north", """{"firmware":"2.0"}""");
        var cases = new (string Filter, string[] Organizations, OrganizationReach Reach)[]
        {
            ($"SELECT * FROM devices WHERE $template = \"{Template}\"", [], All),
            ($"SELECT * FROM devices WHERE $template = \"{Template}\"", ["north"], All),
            ($"SELECT * FROM devices WHERE $template = \"{Template}\"", ["north", "south"], OrganizationReach.Within(["south"])),
            ("SELECT * FROM devices WHERE firmware = \"2.0\"", [], All),
        };
        foreach (var (filter, organizations, reach) in cases)
        {
            Assert.True((await store.Groups.CreateOrReplaceAsync(App, "saved", Write(filter, organizations), null, All, default)).Succeeded);
            var preview = await store.Groups.PreviewAsync(App, filter, organizations, reach, null, 100, default);
            Assert.True(preview.Succeeded, preview.Problem?.Message);
            var members = await MemberIdsAsync(store, "saved", reach);
            Assert.NotEmpty(members);
            Assert.Equal(members, preview.Value.Devices.Select(d => d.Id).ToArray());
        }

        // An invalid filter gets the message a write of it gets, and nothing is read.
        const string invalid = "SELECT * FROM devices WHERE";
        var refused = await store.Groups.PreviewAsync(App, invalid, [], All, null, 100, default);
        var written = await store.Groups.CreateOrReplaceAsync(App, "invalid", Write(invalid), null, All, default);
        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Equal(written.Problem?.Message, refused.Problem?.Message);
        Assert.Equal(ProblemKind.Invalid, (await store.Groups.PreviewAsync(App, " ", [], All, null, 100, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await store.Groups.PreviewAsync(App, "SELECT * FROM devices", [], All, null, 101, default)).Problem?.Kind);
    }

    [Fact]
    public async Task Property_conditions_are_checked_against_the_twin_as_it_is_now()
    {
        await using var store = await GroupStore.StartAsync();
        await store.AddDevicesAsync([GroupStore.Device("m1", Template), GroupStore.Device("m2", Template), GroupStore.Device("m3", "dtmi:com:example:Other;1")]);
        await ReportAsync(store, "m1", """{"firmware":"2.1","fan":{"speed":1200},"online":true}""");
        await ReportAsync(store, "m2", """{"firmware":"1.9","fan":{"speed":800}}""");
        await ReportAsync(store, "m3", """{"firmware":"2.1","fan":{"speed":1500}}""");
        Assert.True((await store.Twins.PatchCloudAsync(App, "m2", JsonNode.Parse("""{"site":"Building 7"}""")!.AsObject(), default)).Succeeded);

        async Task<string[]> Members(string where)
        {
            Assert.True((await store.Groups.CreateOrReplaceAsync(App, "g", Write("SELECT * FROM devices WHERE " + where), null, All, default)).Succeeded);
            return await MemberIdsAsync(store, "g", All);
        }

        Assert.Equal(["m1"], await Members($"$template = \"{Template}\" AND firmware >= \"2.0\""));
        Assert.Equal(["m1", "m3"], await Members("fan.speed > 1000"));
        Assert.Equal(["m2"], await Members("CONTAINS(site, \"building\")"));
        Assert.Equal(["m1", "m2"], await Members("online = true OR site = \"Building 7\""));
        Assert.Empty(await Members("firmware > 2"));

        await ReportAsync(store, "m2", """{"firmware":"2.2"}""");
        Assert.Equal(["m1", "m2"], await Members($"$template = \"{Template}\" AND firmware >= \"2.0\""));
    }

    [Fact]
    public async Task Members_page_by_device_id_and_a_page_short_of_members_still_continues()
    {
        await using var store = await GroupStore.StartAsync();
        var count = DeviceGroupService.MemberScanBudget + 300;
        await store.AddDevicesAsync(Enumerable.Range(0, count).Select(i => GroupStore.Device($"d{i:D5}", Template, provisioned: i % 3 != 0)));
        // The only device with the property is the last one: the first page reads its budget and ends short.
        await ReportAsync(store, $"d{count - 1:D5}", """{"fw":"x"}""");
        await ReportAsync(store, "d00001", """{"fw":"x"}""");

        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "provisioned", Write("SELECT * FROM devices WHERE $provisioned = true"), null, All, default)).Succeeded);
        var ids = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await store.Groups.MembersAsync(App, "provisioned", All, after, 100, default);
            ids.AddRange(page.Value!.Devices.Select(d => d.Id));
            after = page.Value.ContinueAfter;
            pages++;
        }
        while (after is not null);
        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 3 != 0).Select(i => $"d{i:D5}"), ids);
        Assert.Equal((ids.Count + 99) / 100, pages);

        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "with-fw", Write("SELECT * FROM devices WHERE fw = \"x\""), null, All, default)).Succeeded);
        var first = await store.Groups.MembersAsync(App, "with-fw", All, null, 5, default);
        Assert.Equal(["d00001"], first.Value!.Devices.Select(d => d.Id));
        Assert.Equal($"d{DeviceGroupService.MemberScanBudget - 1:D5}", first.Value.ContinueAfter);
        var second = await store.Groups.MembersAsync(App, "with-fw", All, first.Value.ContinueAfter, 5, default);
        Assert.Equal([$"d{count - 1:D5}"], second.Value!.Devices.Select(d => d.Id));
        Assert.Null(second.Value.ContinueAfter);
    }

    [Fact]
    public async Task An_application_deleted_takes_its_groups_with_it()
    {
        await using var store = await GroupStore.StartAsync();
        Assert.True((await store.Groups.CreateOrReplaceAsync(App, "g", Write("SELECT * FROM devices"), null, All, default)).Succeeded);
        Assert.True((await store.Groups.CreateOrReplaceAsync(GroupStore.OtherApp, "g", Write("SELECT * FROM devices"), null, All, default)).Succeeded);

        await using (var db = await store.ContextAsync())
        {
            await Assert.Single(store.Areas, a => a.Area == "Groups").ReleaseApplicationAsync(db, App, default);
        }

        Assert.Equal(ProblemKind.NotFound, (await store.Groups.GetAsync(App, "g", All, default)).Problem?.Kind);
        Assert.True((await store.Groups.GetAsync(GroupStore.OtherApp, "g", All, default)).Succeeded);
    }

    private static async Task ReportAsync(GroupStore store, string deviceId, string patch) =>
        Assert.True((await store.Twins.PatchReportedAsync(App, deviceId, null, JsonNode.Parse(patch)!.AsObject(), null, default)).Succeeded);

    private static async Task<string[]> MemberIdsAsync(GroupStore store, string groupId, OrganizationReach reach)
    {
        var page = await store.Groups.MembersAsync(App, groupId, reach, null, 100, default);
        Assert.True(page.Succeeded, page.Problem?.Message);
        Assert.Null(page.Value.ContinueAfter);
        return page.Value.Devices.Select(d => d.Id).ToArray();
    }
}
