using System.Text;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Centrum.Telemetry;
using Centrum.Templates.Views;
using Centrum.Web.Devices;

namespace Centrum.IntegrationTests.Web.Devices;

/// <summary>
/// What a device page reads and does goes through the areas' services with the caller's reach for the permission REST
/// requires: a device outside it is not found for every operation, a permission held nowhere is refused, a written
/// property is pending until the device acknowledges that version, and commands run through the command service.
/// </summary>
public sealed class DeviceViewServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly CancellationToken None = CancellationToken.None;
    private DeviceViewStore _store = null!;

    public async Task InitializeAsync() => _store = await DeviceViewStore.StartAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task An_organization_scoped_person_finds_no_device_outside_its_reach_whatever_the_page_asks()
    {
        var north = DeviceViewStore.Caller(BuiltInRoles.OrgOperator, "north");
        var view = (await _store.Views.OverviewAsync(north, DeviceViewStore.North, None)).Value!.View!;
        var target = view.FindProperty(null, "targetTemperature")!;
        var reboot = view.FindCommand(null, "reboot")!;
        const string South = DeviceViewStore.South;

        Assert.Equal(ProblemKind.NotFound, (await _store.Views.OverviewAsync(north, South, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.PropertiesAsync(north, South, view, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.WritePropertyAsync(north, South, target, 20, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.RunCommandAsync(north, South, reboot, 1, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.HistoryAsync(north, South, reboot, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.RawDataAsync(north, South, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.LastKnownValuesAsync(north, South, view, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.WatchAsync(north, South, None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Views.OverviewAsync(north, "no-such-device", None)).Problem?.Kind);
        Assert.Empty(_store.Connections.Calls);
        var twin = await _store.Twins.GetAsync(DeviceViewStore.App, South, null, None);
        Assert.Empty(twin!.Desired);

        // Application-wide, the same device is there.
        var admin = DeviceViewStore.Caller(BuiltInRoles.AppAdministrator);
        Assert.True((await _store.Views.OverviewAsync(admin, South, None)).Succeeded);
    }

    [Fact]
    public async Task A_viewer_is_offered_no_write_nor_command_and_the_service_refuses_both()
    {
        var viewer = DeviceViewStore.Caller(BuiltInRoles.OrgViewer, "north");
        var overview = (await _store.Views.OverviewAsync(viewer, DeviceViewStore.North, None)).Value!;
        Assert.Equal(new DeviceActions(ReadData: true, WriteProperties: false, EditCloudProperties: false, RunCommands: false, ReadConnectivity: false), overview.Actions);
        var operatorActions = (await _store.Views.OverviewAsync(DeviceViewStore.Caller(BuiltInRoles.OrgOperator, "north"), DeviceViewStore.North, None)).Value!.Actions;
        Assert.Equal(new DeviceActions(true, true, true, true, true), operatorActions);

        var view = overview.View!;
        var written = await _store.Views.WritePropertyAsync(viewer, DeviceViewStore.North, view.FindProperty(null, "targetTemperature")!, 20, None);
        var run = await _store.Views.RunCommandAsync(viewer, DeviceViewStore.North, view.FindCommand(null, "reboot")!, 1, None);

        var cloud = await _store.Views.WritePropertyAsync(viewer, DeviceViewStore.North, view.FindProperty(null, "site")!, "plant 2", None);
        var connection = await _store.Views.ConnectionAsync(viewer, DeviceViewStore.North, None);

        Assert.Equal(ProblemKind.Forbidden, written.Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, cloud.Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, run.Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, connection.Problem?.Kind);
        Assert.Empty(_store.Connections.Calls);
        Assert.Empty((await _store.Twins.GetAsync(DeviceViewStore.App, DeviceViewStore.North, null, None))!.Desired);
    }

    [Fact]
    public async Task A_written_property_is_pending_until_the_device_acknowledges_its_version_then_accepted_or_failed()
    {
        var person = DeviceViewStore.Caller(BuiltInRoles.AppOperator);
        var view = (await _store.Views.OverviewAsync(person, DeviceViewStore.North, None)).Value!.View!;
        var target = view.FindProperty(null, "targetTemperature")!;

        var input = target.Value.NewInput();
        input.Text = "21.5";
        Assert.True((await _store.Views.WritePropertyAsync(person, DeviceViewStore.North, target, input.Required().Value!, None)).Succeeded);
        var pending = await StateAsync(person, view, "targetTemperature");
        Assert.Equal((PropertyStatus.Pending, 21.5), (pending.Status, (double)pending.DesiredValue!));

        // The device acknowledges that version (IoT Plug and Play convention: value, ac, av).
        await AcknowledgeAsync(21.5, 200, pending.DesiredVersion!.Value);
        var accepted = await StateAsync(person, view, "targetTemperature");
        Assert.Equal((PropertyStatus.Accepted, 21.5, 200), (accepted.Status, (double)accepted.Value!, accepted.AckCode));

        // A newer write is pending again, an acknowledgement of the older version does not settle it, an error code fails it.
        Assert.True((await _store.Views.WritePropertyAsync(person, DeviceViewStore.North, target, 30, None)).Succeeded);
        var again = await StateAsync(person, view, "targetTemperature");
        await AcknowledgeAsync(21.5, 200, pending.DesiredVersion!.Value);
        Assert.Equal(PropertyStatus.Pending, (await StateAsync(person, view, "targetTemperature")).Status);
        await AcknowledgeAsync(21.5, 500, again.DesiredVersion!.Value, "out of range");
        var failed = await StateAsync(person, view, "targetTemperature");
        Assert.Equal((PropertyStatus.Failed, 500, "out of range"), (failed.Status, failed.AckCode, failed.AckDescription));

        // A cloud property is kept by the platform; a value that does not fit the schema changes nothing.
        Assert.True((await _store.Views.WritePropertyAsync(person, DeviceViewStore.North, view.FindProperty(null, "site")!, "Building 7", None)).Succeeded);
        var site = await StateAsync(person, view, "site");
        Assert.Equal((PropertyStatus.Saved, "Building 7"), (site.Status, (string?)site.Value));
        var refused = await _store.Views.WritePropertyAsync(person, DeviceViewStore.North, target, "warm", None);
        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Equal(30, (double)(await StateAsync(person, view, "targetTemperature")).DesiredValue!);
        Assert.Equal(PropertyStatus.NotSet, (await StateAsync(person, view, "serialNumber")).Status);
    }

    [Fact]
    public async Task A_command_runs_through_the_command_service_and_its_answer_is_kept_in_the_history()
    {
        var person = DeviceViewStore.Caller(BuiltInRoles.OrgOperator, "north");
        var view = (await _store.Views.OverviewAsync(person, DeviceViewStore.North, None)).Value!.View!;
        var reboot = view.FindCommand(null, "reboot")!;

        var offline = await _store.Views.RunCommandAsync(person, DeviceViewStore.North, reboot, 5, None);
        Assert.False(offline.Succeeded);
        _store.Connections.Connect(DeviceViewStore.North);
        var request = reboot.Request!.NewInput();
        request.Text = "5";
        var run = await _store.Views.RunCommandAsync(person, DeviceViewStore.North, reboot, request.Required().Value, None);
        var wrong = await _store.Views.RunCommandAsync(person, DeviceViewStore.North, reboot, "soon", None);

        Assert.True(run.Succeeded, run.Problem?.Message);
        Assert.Equal((200, "rebooting"), (run.Value.ResponseCode, (string?)run.Value.Response));
        Assert.Equal(ProblemKind.Invalid, wrong.Problem?.Kind);
        Assert.Equal(5, (int)Assert.Single(_store.Connections.Calls).Payload!);
        var history = (await _store.Views.HistoryAsync(person, DeviceViewStore.North, reboot, None)).Value!;
        Assert.Equal([200, 404], history.Select(e => e.ResponseCode)); // the device was offline for the first call: IoT Central records 404
        Assert.Equal(5, (int)history[0].Request!);
    }

    [Fact]
    public async Task Last_known_values_raw_data_and_the_live_feed_read_the_devices_telemetry()
    {
        var person = DeviceViewStore.Caller(BuiltInRoles.OrgViewer, "north");
        var view = (await _store.Views.OverviewAsync(person, DeviceViewStore.North, None)).Value!.View!;
        await using var feed = (await _store.Views.WatchAsync(person, DeviceViewStore.North, None)).Value!;
        await StoreAsync(DeviceViewStore.North, """{"temperature":21.5,"debug":"x"}""");
        await StoreAsync(DeviceViewStore.South, """{"temperature":99}""");
        await StoreAsync(DeviceViewStore.North, """{"temperature":22.5}""");

        var seen = new List<DeviceTelemetryValue>();
        await Wait.UntilAsync(() =>
        {
            seen.AddRange(feed.Take().Values);
            return Task.FromResult(seen.Count(v => v.Name == "temperature") == 2);
        }, Timeout, "the feed delivered both temperatures of its device");
        Assert.Equal([21.5, 22.5], seen.Where(v => v.Name == "temperature").Select(v => v.Value.GetDouble()));

        var last = Assert.Single((await _store.Views.LastKnownValuesAsync(person, DeviceViewStore.North, view, None)).Value!);
        Assert.Equal(22.5, (double)last.Value!);
        var raw = (await _store.Views.RawDataAsync(person, DeviceViewStore.North, None)).Value!;
        Assert.Equal([[], ["debug"]], raw.Select(m => m.UnmodeledFields));
        Assert.Equal("""{"temperature":21.5,"debug":"x"}""", Encoding.UTF8.GetString(raw[1].Message.Body));
    }

    private async Task<PropertyState> StateAsync(System.Security.Claims.ClaimsPrincipal caller, DeviceView view, string name) =>
        (await _store.Views.PropertiesAsync(caller, DeviceViewStore.North, view, None)).Value!.Single(p => p.View.Name == name);

    private async Task AcknowledgeAsync(double value, int code, long version, string? description = null)
    {
        var ack = new JsonObject { ["value"] = value, ["ac"] = code, ["av"] = version };
        if (description is not null)
        {
            ack["ad"] = description;
        }

        Assert.True((await _store.Twins.PatchReportedAsync(DeviceViewStore.App, DeviceViewStore.North, null, new JsonObject { ["targetTemperature"] = ack }, null, None)).Succeeded);
    }

    private async Task StoreAsync(string device, string body)
    {
        var stored = await _store.Ingest.SubmitAsync(new TelemetryMessage
        {
            ApplicationId = DeviceViewStore.App,
            DeviceId = device,
            ContentType = "application/json",
            Body = Encoding.UTF8.GetBytes(body),
            EnqueuedTime = DateTimeOffset.UtcNow,
        }, waitForRoom: true, None);
        await stored!;
    }
}
