using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Events;
using Centrum.Jobs.Execution;
using Centrum.Organizations;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Centrum.Jobs.Tests;

/// <summary>
/// The job runner on a real SQLite store with the real areas: devices are acted on through the areas' services, the
/// device end is <see cref="ScriptedDevices"/> (direct methods) and <see cref="PropertyDevices"/> (reported
/// acknowledgements). Time-dependent behaviour (timeouts, rollout rates) runs on a <see cref="FakeTimeProvider"/> that
/// the test moves.
/// </summary>
public sealed class JobRunnerTests : IAsyncLifetime
{
    private const string App = JobStore.App;

    private static readonly OrganizationReach Everything = OrganizationReach.WholeApplication;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    private JobStore _store = null!;

    private PropertyDevices _devices = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(int inFlight = 100, int running = 5, bool fakeClock = false)
    {
        _store = await JobStore.StartAsync(
            new Dictionary<string, string?>
            {
                ["Centrum:Jobs:MaxDevicesInFlight"] = inFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Centrum:Jobs:MaxRunningPerApplication"] = running.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Centrum:Jobs:PollInterval"] = "00:00:00.050",
            },
            services =>
            {
                if (fakeClock)
                {
                    services.AddSingleton<TimeProvider>(_clock);
                }
            });
        _devices = new PropertyDevices(_store.Services.GetRequiredService<IDeviceEvents>(), _store.Twins);
    }

    public async Task DisposeAsync()
    {
        if (_devices is not null)
        {
            await _devices.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private static string[] Ids(string prefix, int count) => [.. Enumerable.Range(1, count).Select(i => $"{prefix}{i:D2}")];

    private static JobDefinition PropertyJob(IReadOnlyList<string> devices, double value = 21.5) =>
        new("Set temperature", null, null, devices, [new JobData(JobDataKind.Property, JobStore.Thermostat, "targetTemperature", JsonValue.Create(value))]);

    private static JobDefinition CommandJob(IReadOnlyList<string> devices) =>
        new("Reboot", null, null, devices, [new JobData(JobDataKind.Command, JobStore.Thermostat, "reboot", JsonValue.Create(5))], ConnectionTimeout: TimeSpan.Zero);

    private async Task<Job> CreateAsync(string id, JobDefinition definition, OrganizationReach? reach = null)
    {
        var created = await _store.Jobs.CreateAsync(App, id, definition, reach ?? Everything, CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.Message);
        return created.Value;
    }

    private async Task<JobEntity> JobAsync(string id)
    {
        await using var db = await _store.ContextAsync();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.ApplicationId == App && j.Id == id);
    }

    private async Task<List<JobDeviceEntity>> RowsAsync(string id)
    {
        await using var db = await _store.ContextAsync();
        return await db.JobDevices.AsNoTracking().Where(d => d.ApplicationId == App && d.JobId == id).OrderBy(d => d.Ordinal).ToListAsync();
    }

    private async Task<JobEntity> UntilStatusAsync(string id, JobStatus status)
    {
        var name = JobStates.Name(status);
        await Wait.UntilAsync(async () => (await JobAsync(id)).Status == name, Patience, $"job {id} is {name}");
        return await JobAsync(id);
    }

    private Task UntilRowsAsync(string id, Func<List<JobDeviceEntity>, bool> condition, string what) =>
        Wait.UntilAsync(async () => condition(await RowsAsync(id)), Patience, what);

    private Task<long[]> DesiredVersionsAsync(params string[] ids) =>
        Task.WhenAll(ids.Select(async id => (await _store.Twins.GetAsync(App, id, null, CancellationToken.None))!.DesiredVersion));

    private static int Count(List<JobDeviceEntity> rows, JobDeviceState state) => rows.Count(r => r.Status == JobStates.Name(state));

    [Fact]
    public async Task A_property_job_in_batches_completes_acknowledging_devices_and_fails_silent_ones_after_the_timeout()
    {
        await StartAsync(fakeClock: true);
        var ids = Ids("t", 6);
        await _store.AddDevicesAsync(ids);
        foreach (var id in ids.Where(i => i is not ("t02" or "t05")))
        {
            _devices.Answer(id);
        }

        await _store.StartRunnerAsync();
        await CreateAsync("fans", PropertyJob(ids) with { Batch = new JobBatch(JobAmountKind.Number, 3), ConnectionTimeout = TimeSpan.FromSeconds(60) });

        // Batch 1: t01 and t03 acknowledge; t02 is silent and holds the batch until its timeout. Batch 2 has not started.
        await UntilRowsAsync("fans", rows => Count(rows, JobDeviceState.Completed) == 2, "batch 1's acknowledging devices completed");
        var rows = await RowsAsync("fans");
        Assert.Equal(["completed", "running", "completed", "pending", "pending", "pending"], rows.Select(r => r.Status));
        Assert.Equal([0, 0, 0, 1, 1, 1], rows.Select(r => r.Batch));
        Assert.Contains("targetTemperature", rows[1].Awaiting, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromSeconds(61));
        await UntilRowsAsync("fans", rows => Count(rows, JobDeviceState.Completed) == 4, "batch 2's acknowledging devices completed");
        _clock.Advance(TimeSpan.FromSeconds(61));

        var job = await UntilStatusAsync("fans", JobStatus.Complete);
        rows = await RowsAsync("fans");
        Assert.Equal(["completed", "failed", "completed", "completed", "failed", "completed"], rows.Select(r => r.Status));
        Assert.Equal("The device did not acknowledge targetTemperature within 60 s.", rows[1].Reason);
        Assert.Equal((6, 4, 2, 1), (job.Total, job.Completed, job.Failed, job.CurrentBatch));
        Assert.NotNull(job.End);
        // Batches run in order: every device of batch 2 started after every device of batch 1 ended.
        Assert.True(rows.Where(r => r.Batch == 1).Min(r => r.Started) >= rows.Where(r => r.Batch == 0).Max(r => r.Ended));
        var twin = await _store.Twins.GetAsync(App, "t04", null, CancellationToken.None);
        Assert.Equal(21.5, twin!.Desired["targetTemperature"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_device_that_acknowledges_with_an_error_fails_with_its_description()
    {
        await StartAsync();
        await _store.AddDevicesAsync(["ok", "hot"]);
        _devices.Answer("ok");
        _devices.Answer("hot", 500, "above the safe maximum");
        var finished = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobsMetrics.MeterName && instrument.Name == "centrum.jobs.devices")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "state")
                {
                    finished.Enqueue($"{tag.Value}:{value}");
                }
            }
        });
        listener.Start();
        await _store.StartRunnerAsync();

        await CreateAsync("too-hot", PropertyJob(["ok", "hot"], 95));

        var job = await UntilStatusAsync("too-hot", JobStatus.Complete);
        var rows = await RowsAsync("too-hot");
        Assert.Equal((1, 1), (job.Completed, job.Failed));
        Assert.Equal("completed", rows[0].Status);
        Assert.Equal("targetTemperature: the device refused the value with code 500: above the safe maximum", rows[1].Reason);
        Assert.Equal(["completed:1", "failed:1"], finished.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_stale_acknowledgement_of_an_earlier_version_does_not_complete_a_device()
    {
        await StartAsync(fakeClock: true);
        await _store.AddDevicesAsync(["late"]);
        // The device acknowledged an earlier write; the job's write is a later version it has not answered.
        Assert.True((await _store.Properties.WriteAsync(App, "late", null, null, new JsonObject { ["targetTemperature"] = 18.0 }, false, false, CancellationToken.None)).Succeeded);
        await _devices.AcknowledgeAsync("late");
        await _store.StartRunnerAsync();

        await CreateAsync("later", PropertyJob(["late"]) with { ConnectionTimeout = TimeSpan.FromSeconds(30) });
        await UntilRowsAsync("later", rows => rows.Count == 1 && rows[0].Awaiting is not null, "the job wrote its version");
        await _devices.AcknowledgeAsync("late");

        await UntilStatusAsync("later", JobStatus.Complete);
        Assert.Equal("completed", (await RowsAsync("later"))[0].Status);
    }

    [Fact]
    public async Task A_cancellation_threshold_number_cancels_the_job_and_leaves_untouched_devices_pending()
    {
        await StartAsync(inFlight: 1);
        var ids = Ids("c", 6);
        await _store.AddDevicesAsync(ids);
        _store.Connections.Connect(ids);
        _store.Connections.Answer = (_, _) => Task.FromResult(new DirectMethodResult(DirectMethodStatus.Answered, 500, new JsonObject { ["error"] = "busy" }));
        await _store.StartRunnerAsync();

        await CreateAsync("reboots", CommandJob(ids) with { CancellationThreshold = new JobCancellationThreshold(JobAmountKind.Number, 2, false) });

        var job = await UntilStatusAsync("reboots", JobStatus.Cancelled);
        await UntilRowsAsync("reboots", rows => Count(rows, JobDeviceState.Running) == 0, "no device is in flight");
        var rows = await RowsAsync("reboots");
        Assert.Equal(["failed", "failed", "pending", "pending", "pending", "pending"], rows.Select(r => r.Status));
        Assert.Equal("The device answered reboot with 500: {\"error\":\"busy\"}", rows[0].Reason);
        Assert.Equal("The cancellation threshold was reached: 2 devices failed, the threshold is 2.", job.StatusReason);
        Assert.Equal(2, _store.Connections.Calls.Count);
        Assert.NotNull(job.End);
    }

    [Fact]
    public async Task A_percentage_threshold_per_batch_counts_only_the_running_batch()
    {
        await StartAsync(inFlight: 1);
        var ids = Ids("p", 10);
        await _store.AddDevicesAsync(ids);
        _store.Connections.Connect(ids);
        // Batch 1 (p01–p05) has one failure, batch 2 (p06–p10) two: 40 % of a batch of 5 is 2.
        _store.Connections.Answer = (id, _) => Task.FromResult(new DirectMethodResult(DirectMethodStatus.Answered, id is "p02" or "p07" or "p08" ? 500 : 200));
        await _store.StartRunnerAsync();

        await CreateAsync("per-batch", CommandJob(ids) with
        {
            Batch = new JobBatch(JobAmountKind.Percentage, 50),
            CancellationThreshold = new JobCancellationThreshold(JobAmountKind.Percentage, 40, true),
        });

        var job = await UntilStatusAsync("per-batch", JobStatus.Cancelled);
        await UntilRowsAsync("per-batch", rows => Count(rows, JobDeviceState.Running) == 0, "no device is in flight");
        var rows = await RowsAsync("per-batch");
        Assert.Equal(
            ["completed", "failed", "completed", "completed", "completed", "completed", "failed", "failed", "pending", "pending"],
            rows.Select(r => r.Status));
        Assert.Equal("The cancellation threshold was reached: 2 devices failed in batch 2, the threshold is 2.", job.StatusReason);
    }

    [Fact]
    public async Task Abort_criteria_cancel_the_job_once_enough_devices_finished_with_too_many_failures()
    {
        await StartAsync(inFlight: 1);
        var ids = Ids("a", 8);
        await _store.AddDevicesAsync(ids);
        // a01 fails alone (1 of 1 is above the rate but below the minimum); a03 makes 2 of 4.
        _store.Connections.Connect("a02", "a04", "a05", "a06", "a07", "a08");
        await _store.StartRunnerAsync();

        await CreateAsync("abort", CommandJob(ids) with { Abort = new JobAbort(50, 4) });

        var job = await UntilStatusAsync("abort", JobStatus.Cancelled);
        await UntilRowsAsync("abort", rows => Count(rows, JobDeviceState.Running) == 0, "no device is in flight");
        var rows = await RowsAsync("abort");
        Assert.Equal(["failed", "completed", "failed", "completed", "pending", "pending", "pending", "pending"], rows.Select(r => r.Status));
        Assert.Equal("The device was not connected within 0 s.", rows[0].Reason);
        Assert.Equal("The abort criteria were met: 2 of 4 finished devices failed, at least 50% after 4.", job.StatusReason);
    }

    [Fact]
    public async Task A_rollout_rate_paces_devices_and_ramps_up_as_devices_succeed()
    {
        await StartAsync(fakeClock: true);
        var ids = Ids("r", 5);
        await _store.AddDevicesAsync(ids);
        _store.Connections.Connect(ids);
        await _store.StartRunnerAsync();
        var start = _clock.GetUtcNow();

        // 2 a minute (one every 30 s); doubled after every 2 completions, up to 4 a minute (one every 15 s).
        await CreateAsync("paced", CommandJob(ids) with { Rollout = new JobRollout(2, 2, 2, 4) });

        await UntilRowsAsync("paced", rows => Count(rows, JobDeviceState.Completed) == 1, "the first device ran at once");
        _clock.Advance(TimeSpan.FromSeconds(30));
        await UntilRowsAsync("paced", rows => Count(rows, JobDeviceState.Completed) == 2, "the second device ran 30 s later");
        for (var done = 3; done <= 5; done++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
            await UntilRowsAsync("paced", rows => Count(rows, JobDeviceState.Completed) == done, $"device {done} ran 15 s after the one before");
        }

        await UntilStatusAsync("paced", JobStatus.Complete);
        var rows = await RowsAsync("paced");
        Assert.Equal([0, 30, 45, 60, 75], rows.Select(r => (r.Started!.Value - start).TotalSeconds));
    }

    [Fact]
    public async Task A_stop_mid_batch_starts_no_further_device_and_a_resume_finishes_the_job()
    {
        await StartAsync(inFlight: 2);
        var ids = Ids("s", 6);
        await _store.AddDevicesAsync(ids);
        _store.Connections.Connect(ids);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Connections.Answer = async (_, _) =>
        {
            await gate.Task;
            return new DirectMethodResult(DirectMethodStatus.Answered, 200);
        };
        await _store.StartRunnerAsync();

        await CreateAsync("stoppable", CommandJob(ids));
        await Wait.UntilAsync(() => Task.FromResult(_store.Connections.Calls.Count == 2), Patience, "two devices are in flight");
        Assert.True((await _store.Jobs.StopAsync(App, "stoppable", Everything, CancellationToken.None)).Succeeded);
        gate.SetResult();

        // The two in flight finish and count; nothing else starts.
        await UntilRowsAsync("stoppable", rows => Count(rows, JobDeviceState.Completed) == 2, "the devices in flight finished");
        await Wait.UntilAsync(() => Task.FromResult(_store.Runner.Working == 0), Patience, "the worker ended");
        Assert.Equal("stopped", (await JobAsync("stoppable")).Status);
        Assert.Equal(4, Count(await RowsAsync("stoppable"), JobDeviceState.Pending));
        Assert.Equal(2, _store.Connections.Calls.Count);

        Assert.True((await _store.Jobs.ResumeAsync(App, "stoppable", Everything, CancellationToken.None)).Succeeded);
        var job = await UntilStatusAsync("stoppable", JobStatus.Complete);
        Assert.Equal(6, job.Completed);
        Assert.Equal(ids.Order(StringComparer.Ordinal), _store.Connections.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_running_cap_queues_a_job_until_another_ends()
    {
        await StartAsync(running: 1);
        await _store.AddDevicesAsync(["q1", "q2"]);
        _store.Connections.Connect("q1", "q2");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Connections.Answer = async (id, _) =>
        {
            if (id == "q1")
            {
                await gate.Task;
            }

            return new DirectMethodResult(DirectMethodStatus.Answered, 200);
        };
        await _store.StartRunnerAsync();

        await CreateAsync("first", CommandJob(["q1"]));
        await Wait.UntilAsync(() => Task.FromResult(_store.Connections.Calls.Count == 1), Patience, "the first job's device is in flight");
        Assert.Equal(JobStatus.Pending, (await CreateAsync("second", CommandJob(["q2"]))).Status);
        Assert.Equal("pending", (await JobAsync("second")).Status);

        gate.SetResult();
        await UntilStatusAsync("first", JobStatus.Complete);
        await UntilStatusAsync("second", JobStatus.Complete);
        Assert.Equal(["q1", "q2"], _store.Connections.Calls);
    }

    [Fact]
    public async Task After_a_restart_a_command_in_flight_is_not_sent_again_and_a_property_in_flight_completes_on_its_acknowledgement()
    {
        await StartAsync();
        await _store.AddDevicesAsync(["cmd-1", "cmd-2", "prop-1", "prop-2"]);
        _store.Connections.Connect("cmd-1", "cmd-2");

        // A process that was killed: both jobs running with their targets listed, one device of each in flight. The
        // property device had been written to (its version kept), the second property device written but its version
        // not yet kept; the command may or may not have reached its device.
        await CreateAsync("commands", CommandJob(["cmd-1", "cmd-2"]));
        await CreateAsync("properties", PropertyJob(["prop-1", "prop-2"]) with { ConnectionTimeout = TimeSpan.FromMinutes(10) });
        Assert.True((await _store.Properties.WriteAsync(App, "prop-1", null, null, new JsonObject { ["targetTemperature"] = 21.5 }, false, false, CancellationToken.None)).Succeeded);
        var written = (await _store.Twins.GetAsync(App, "prop-1", null, CancellationToken.None))!.DesiredVersion;
        Assert.True((await _store.Properties.WriteAsync(App, "prop-2", null, null, new JsonObject { ["targetTemperature"] = 21.5 }, false, false, CancellationToken.None)).Succeeded);
        var before = (await _store.Twins.GetAsync(App, "prop-2", null, CancellationToken.None))!.DesiredVersion;
        var now = DateTimeOffset.UtcNow;
        await using (var db = await _store.ContextAsync())
        {
            await db.Jobs.Where(j => j.ApplicationId == App).ExecuteUpdateAsync(s => s.SetProperty(j => j.TargetsReady, true).SetProperty(j => j.Total, 2));
            db.JobDevices.AddRange(
                new JobDeviceEntity { ApplicationId = App, JobId = "commands", DeviceId = "cmd-1", Ordinal = 0, Status = "running", Started = now },
                new JobDeviceEntity { ApplicationId = App, JobId = "commands", DeviceId = "cmd-2", Ordinal = 1, Status = "pending" },
                new JobDeviceEntity { ApplicationId = App, JobId = "properties", DeviceId = "prop-1", Ordinal = 0, Status = "running", Started = now, Awaiting = $$"""{"targetTemperature":{{written}}}""" },
                new JobDeviceEntity { ApplicationId = App, JobId = "properties", DeviceId = "prop-2", Ordinal = 1, Status = "running", Started = now });
            await db.SaveChangesAsync();
        }

        await _store.StartRunnerAsync();

        var commands = await UntilStatusAsync("commands", JobStatus.Complete);
        var commandRows = await RowsAsync("commands");
        Assert.Equal(["failed", "completed"], commandRows.Select(r => r.Status));
        Assert.Equal(DeviceActions.InterruptedCommand, commandRows[0].Reason);
        Assert.Equal(["cmd-2"], _store.Connections.Calls);
        Assert.Equal((1, 1), (commands.Completed, commands.Failed));

        // The value was already desired: its version is adopted, nothing is written again.
        await UntilRowsAsync("properties", rows => rows[1].Awaiting is not null, "the second property device's version is kept");
        Assert.Equal(before, (await _store.Twins.GetAsync(App, "prop-2", null, CancellationToken.None))!.DesiredVersion);
        await _devices.AcknowledgeAsync("prop-1");
        await _devices.AcknowledgeAsync("prop-2");
        var properties = await UntilStatusAsync("properties", JobStatus.Complete);
        Assert.Equal((2, 0), (properties.Completed, properties.Failed));
    }

    [Fact]
    public async Task A_runner_stopped_mid_job_and_started_again_sends_no_command_twice_and_writes_no_property_twice()
    {
        await StartAsync(inFlight: 2);
        await _store.AddDevicesAsync(["k1", "k2", "w1", "w2"]);
        _store.Connections.Connect("k1", "k2");
        var never = new TaskCompletionSource<DirectMethodResult>();
        _store.Connections.Answer = (id, _) => id == "k1" ? never.Task : Task.FromResult(new DirectMethodResult(DirectMethodStatus.Answered, 200));
        await _store.StartRunnerAsync();

        await CreateAsync("commands", CommandJob(["k1", "k2"]));
        await CreateAsync("properties", PropertyJob(["w1", "w2"]) with { ConnectionTimeout = TimeSpan.FromMinutes(10) });
        await UntilRowsAsync("commands", rows => rows.Count == 2 && rows[1].Status == "completed", "k2 answered while k1's command is in flight");
        await UntilRowsAsync("properties", rows => rows.Count == 2 && rows.All(r => r.Awaiting is not null), "both property devices were written to");
        var versions = await DesiredVersionsAsync("w1", "w2");

        // The host stops with a command and two acknowledgements outstanding; their rows stay running.
        await _store.StopRunnerAsync();
        Assert.Equal(["running", "completed"], (await RowsAsync("commands")).Select(r => r.Status));
        Assert.Equal(["running", "running"], (await RowsAsync("properties")).Select(r => r.Status));
        await _devices.AcknowledgeAsync("w1");

        await _store.StartRunnerAsync();
        await UntilRowsAsync("properties", rows => rows[0].Status == "completed", "w1's acknowledgement, reported while the runner was down, is seen");
        await _devices.AcknowledgeAsync("w2");

        var commands = await UntilStatusAsync("commands", JobStatus.Complete);
        Assert.Equal(["failed", "completed"], (await RowsAsync("commands")).Select(r => r.Status));
        Assert.Equal(["k1", "k2"], _store.Connections.Calls);
        Assert.Equal((1, 1), (commands.Completed, commands.Failed));
        var properties = await UntilStatusAsync("properties", JobStatus.Complete);
        Assert.Equal((2, 0), (properties.Completed, properties.Failed));
        Assert.Equal(versions, await DesiredVersionsAsync("w1", "w2"));
    }

    [Fact]
    public async Task A_group_job_acts_only_on_members_within_the_reach_it_was_created_with()
    {
        await StartAsync();
        _store.Organizations.Add(App, "north");
        _store.Organizations.Add(App, "north-1", "north");
        _store.Organizations.Add(App, "south");
        await _store.AddDevicesAsync(["n1", "n2"], organizations: """["north-1"]""");
        await _store.AddDevicesAsync(["s1"], organizations: """["south"]""");
        // A group of two organizations: the whole application sees all three devices as its members.
        await _store.AddGroupAsync("sites", "SELECT * FROM devices", "north-1", "south");
        Assert.Equal(3, (await _store.Groups.MembersAsync(App, "sites", Everything, null, 100, CancellationToken.None)).Value!.Devices.Count);
        await _store.StartRunnerAsync();

        // A caller reaching only north-1 sees the group (one of its organizations is within reach) and targets it.
        var definition = new JobDefinition("Site", null, "sites", null, [new JobData(JobDataKind.CloudProperty, JobStore.Thermostat, "site", JsonValue.Create("north"))], Organizations: ["north-1"]);
        await CreateAsync("north-site", definition, OrganizationReach.Within(["north-1"]));

        var job = await UntilStatusAsync("north-site", JobStatus.Complete);
        Assert.Equal(["n1", "n2"], (await RowsAsync("north-site")).Select(r => r.DeviceId));
        Assert.Equal((2, 2), (job.Total, job.Completed));
        Assert.Equal("north", (await _store.Twins.GetAsync(App, "n1", null, CancellationToken.None))!.Cloud?["site"]?.GetValue<string>());
        Assert.Null((await _store.Twins.GetAsync(App, "s1", null, CancellationToken.None))!.Cloud?["site"]);
    }

    [Fact]
    public async Task A_rerun_acts_only_on_the_devices_that_failed()
    {
        await StartAsync();
        var ids = Ids("f", 4);
        await _store.AddDevicesAsync(ids);
        _store.Connections.Connect("f01", "f03");
        await _store.StartRunnerAsync();

        await CreateAsync("first-try", CommandJob(ids));
        var first = await UntilStatusAsync("first-try", JobStatus.Complete);
        Assert.Equal((2, 2), (first.Completed, first.Failed));

        _store.Connections.Connect("f02", "f04");
        Assert.True((await _store.Jobs.RerunAsync(App, "first-try", "second-try", Everything, CancellationToken.None)).Succeeded);

        var second = await UntilStatusAsync("second-try", JobStatus.Complete);
        Assert.Equal(["f02", "f04"], (await RowsAsync("second-try")).Select(r => r.DeviceId));
        Assert.Equal((2, 2, 0), (second.Total, second.Completed, second.Failed));
        Assert.Equal(["f01", "f02", "f03", "f04"], _store.Connections.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_template_migration_moves_the_devices_and_fails_one_deleted_before_the_job_ran()
    {
        await StartAsync();
        await _store.AddDevicesAsync(["m1", "m2", "m3"]);
        await CreateAsync("migrate", new JobDefinition("Migrate", null, null, ["m1", "m2", "m3"], [new JobData(JobDataKind.DeviceTemplateMigration, Template: JobStore.Sensor)]));
        Assert.True((await _store.Devices.DeleteAsync(App, "m3", Everything, CancellationToken.None)).Succeeded);
        await _store.StartRunnerAsync();

        var job = await UntilStatusAsync("migrate", JobStatus.Complete);
        Assert.Equal((3, 2, 1), (job.Total, job.Completed, job.Failed));
        Assert.Equal(JobStore.Sensor, (await _store.Devices.GetAsync(App, "m1", CancellationToken.None))!.Template);
        Assert.Equal(JobStore.Sensor, (await _store.Devices.GetAsync(App, "m2", CancellationToken.None))!.Template);
        var gone = (await RowsAsync("migrate"))[2];
        Assert.Equal(("failed", "The device no longer exists or is outside the job's reach."), (gone.Status, gone.Reason));
    }

    [Fact]
    public async Task A_command_waits_for_a_device_to_connect_within_the_timeout_and_queues_for_one_that_does_not()
    {
        await StartAsync(fakeClock: true);
        await _store.AddDevicesAsync(["late", "away"]);
        await _store.StartRunnerAsync();

        await CreateAsync("wait", CommandJob(["late"]) with { ConnectionTimeout = TimeSpan.FromSeconds(60) });
        await UntilRowsAsync("wait", rows => rows.Count == 1 && rows[0].Status == "running", "the device is waited for");
        _store.Connections.Connect("late");
        await _store.Devices.RecordConnectivityAsync(App, "late", true, null, CancellationToken.None);
        await UntilStatusAsync("wait", JobStatus.Complete);
        Assert.Equal(["late"], _store.Connections.Calls);

        await CreateAsync("queue", CommandJob(["away"]) with { ConnectionTimeout = TimeSpan.FromSeconds(10), QueueIfOffline = true });
        await UntilRowsAsync("queue", rows => rows.Count == 1 && rows[0].Status == "running", "the device is waited for");
        _clock.Advance(TimeSpan.FromSeconds(11));
        await UntilStatusAsync("queue", JobStatus.Complete);
        var row = (await RowsAsync("queue"))[0];
        Assert.Equal(("completed", "queued as an offline command"), (row.Status, row.Reason));
        var queued = await _store.Services.GetRequiredService<CloudToDeviceQueue>().PendingAsync(App, "away", 0, 10, CancellationToken.None);
        Assert.Single(queued);
    }

    [Fact]
    public void Acknowledgements_are_read_at_the_root_and_in_components()
    {
        var reported = JsonNode.Parse("""
            {"targetTemperature":{"value":21.5,"ac":200,"av":7,"ad":"done"},
             "fan":{"__t":"c","speed":{"value":3,"ac":400,"av":8.0}},
             "plain":5, "partial":{"value":1,"ac":200}}
            """)!.AsObject();

        Assert.Equal(new Acknowledgement(200, 7, "done"), Acknowledgement.Find(reported, null, "targetTemperature"));
        Assert.Equal(new Acknowledgement(400, 8, null), Acknowledgement.Find(reported, "fan", "speed"));
        Assert.Null(Acknowledgement.Find(reported, null, "plain"));
        Assert.Null(Acknowledgement.Find(reported, null, "partial"));
        Assert.Null(Acknowledgement.Find(reported, "fan", "missing"));
        Assert.False(Acknowledgement.Find(reported, "fan", "speed")!.Value.Succeeded);
    }
}
