using Centrum.Organizations;
using Centrum.Outcomes;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>
/// Bulk actions from the device list: each device is changed through the registry's own write, so it meets the same
/// reach, rules, device events, connection closing and audit as a REST write, and answers on its own.
/// </summary>
public sealed class DeviceBulkActionsTests : IAsyncLifetime
{
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;
    private static readonly OrganizationReach North = OrganizationReach.Within(["north"]);
    private static readonly DeviceActor Person = new("user", "operator@example.com");
    private DeviceStore _store = null!;

    private DeviceRegistry Registry => _store.Registry;

    private DeviceBulkActions Bulk => _store.BulkActions;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Templates.Add(App, "fan", "dtmi:com:example:Fan;1");
        _store.Templates.Add(App, "pump", "dtmi:com:example:Pump;1");
        _store.Organizations.Add(App, "north", "south");
        foreach (var (id, organizations) in new[] { ("n-1", new[] { "north" }), ("n-2", ["north"]), ("s-1", ["south"]), ("both-1", ["north", "south"]) })
        {
            var created = await Registry.CreateOrReplaceAsync(App, id, new DeviceWrite(id, "fan", true, false, organizations), null, All, CancellationToken.None);
            Assert.True(created.Succeeded, created.Problem?.Message);
        }
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Disabling_two_devices_closes_their_connections_and_records_their_events_and_audit()
    {
        _store.Connections.Connect(App, "n-1");
        _store.Connections.Connect(App, "s-1");

        var outcome = await Bulk.ApplyAsync(App, ["n-1", "s-1"], new DeviceBulkAction(DeviceBulkActionKind.Disable), All, Person, CancellationToken.None);

        Assert.Equal([new DeviceActionResult("n-1", DeviceActionState.Done), new DeviceActionResult("s-1", DeviceActionState.Done)], outcome.Value);
        Assert.All(["n-1", "s-1"], id => Assert.False(Registry.GetAsync(App, id, CancellationToken.None).Result!.Enabled));
        Assert.True((await Registry.GetAsync(App, "n-2", CancellationToken.None))!.Enabled);
        Assert.Equal(["Created", "Updated"], await _store.EventsAsync("n-1"));
        Assert.Empty(_store.Connections.ConnectedDevices(App));
        Assert.Equal(
            [("updated", "user", "operator@example.com", "device", "n-1", 200, "PATCH", "/api/devices/n-1"), ("updated", "user", "operator@example.com", "device", "s-1", 200, "PATCH", "/api/devices/s-1")],
            _store.Audit.Entries.Select(e => (e.Entry.Action, e.Entry.ActorType, e.Entry.ActorId, e.Entry.ResourceType, e.Entry.ResourceId, e.Entry.Outcome, e.Entry.Method, e.Entry.Path)));
    }

    [Fact]
    public async Task A_limited_caller_changes_only_devices_within_its_reach_and_each_device_says_how_it_ended()
    {
        foreach (var id in new[] { "n-1", "s-1", "both-1" })
        {
            Assert.True((await Registry.UpdateAsync(App, id, w => w with { Approved = false }, null, All, CancellationToken.None)).Succeeded);
        }

        var outcome = await Bulk.ApplyAsync(App, ["n-1", "s-1", "both-1", "ghost", "n-1"], new DeviceBulkAction(DeviceBulkActionKind.Approve), North, Person, CancellationToken.None);

        Assert.Equal(
            [
                new DeviceActionResult("n-1", DeviceActionState.Done),
                new DeviceActionResult("s-1", DeviceActionState.NotFound, "Device 's-1' was not found."),
                new DeviceActionResult("both-1", DeviceActionState.Refused, "The device must belong to organizations within your reach."),
                new DeviceActionResult("ghost", DeviceActionState.NotFound, "Device 'ghost' was not found."),
            ],
            outcome.Value);
        Assert.True((await Registry.GetAsync(App, "n-1", CancellationToken.None))!.Approved);
        Assert.False((await Registry.GetAsync(App, "s-1", CancellationToken.None))!.Approved);
        Assert.False((await Registry.GetAsync(App, "both-1", CancellationToken.None))!.Approved);
        Assert.Equal([200, 404, 403, 404], _store.Audit.Entries.Select(e => e.Entry.Outcome));
    }

    [Fact]
    public async Task Delete_removes_the_devices_within_reach_and_leaves_the_others()
    {
        var outcome = await Bulk.ApplyAsync(App, ["n-1", "s-1"], new DeviceBulkAction(DeviceBulkActionKind.Delete), North, Person, CancellationToken.None);

        Assert.Equal([DeviceActionState.Done, DeviceActionState.NotFound], outcome.Value!.Select(r => r.State));
        Assert.Null(await Registry.GetAsync(App, "n-1", CancellationToken.None));
        Assert.NotNull(await Registry.GetAsync(App, "s-1", CancellationToken.None));
        Assert.Equal(["Created", "Deleted"], await _store.EventsAsync("n-1"));
        Assert.Contains(("n-1", "device deleted"), _store.Connections.Closed);
        Assert.Equal(("deleted", "DELETE", 204), (_store.Audit.Entries[0].Entry.Action, _store.Audit.Entries[0].Entry.Method, _store.Audit.Entries[0].Entry.Outcome));
    }

    [Fact]
    public async Task Assigning_a_template_moves_the_devices_as_an_update_does_and_a_missing_template_is_refused_whole()
    {
        var missing = await Bulk.ApplyAsync(App, ["n-1"], new DeviceBulkAction(DeviceBulkActionKind.AssignTemplate, "ghost-template"), All, Person, CancellationToken.None);
        _store.Templates.ClearForgotten();
        var moved = await Bulk.ApplyAsync(App, ["n-1", "n-2"], new DeviceBulkAction(DeviceBulkActionKind.AssignTemplate, "pump"), All, Person, CancellationToken.None);

        Assert.Equal((ProblemKind.Invalid, "Device template 'ghost-template' does not exist."), (missing.Problem?.Kind, missing.Problem?.Message));
        Assert.All(moved.Value!, r => Assert.Equal(DeviceActionState.Done, r.State));
        Assert.Equal("pump", (await Registry.GetAsync(App, "n-2", CancellationToken.None))!.Template);
        // The template cache forgets the devices, so their telemetry is read by the new template at once.
        Assert.Equal([(App, "n-1"), (App, "n-2")], _store.Templates.Forgotten);
        Assert.Equal(["Created", "Updated"], await _store.EventsAsync("n-2"));
    }

    [Fact]
    public async Task One_call_acts_on_at_most_its_budget_of_devices_and_on_none_past_it()
    {
        var tooMany = Enumerable.Range(0, DeviceBulkActions.MaxDevices).Select(i => $"x-{i}").Append("n-1").ToList();
        var duplicates = Enumerable.Repeat("n-1", DeviceBulkActions.MaxDevices + 1).ToList();

        var refused = await Bulk.ApplyAsync(App, tooMany, new DeviceBulkAction(DeviceBulkActionKind.Disable), All, Person, CancellationToken.None);
        var none = await Bulk.ApplyAsync(App, [], new DeviceBulkAction(DeviceBulkActionKind.Disable), All, Person, CancellationToken.None);
        var once = await Bulk.ApplyAsync(App, duplicates, new DeviceBulkAction(DeviceBulkActionKind.Disable), All, Person, CancellationToken.None);

        Assert.Equal(ProblemKind.TooLarge, refused.Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, none.Problem?.Kind);
        Assert.Equal([new DeviceActionResult("n-1", DeviceActionState.Done)], once.Value);
        Assert.Single(_store.Audit.Entries);
    }
}
