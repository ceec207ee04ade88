using System.Text.Json.Nodes;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Tests;

/// <summary>
/// The rules of the jobs area's service on a real SQLite store: what a job may ask, whose devices it may target, how
/// many run at once, and the status changes of stop, resume and re-run. The runner is not involved: these are the
/// decisions made before a device is touched.
/// </summary>
public sealed class JobServiceTests : IAsyncLifetime
{
    private const string App = JobStore.App;

    private static readonly OrganizationReach Everything = OrganizationReach.WholeApplication;

    private JobStore _store = null!;

    public async Task InitializeAsync()
    {
        // One running slot, so admission and queueing show with few jobs.
        _store = await JobStore.StartAsync(new Dictionary<string, string?> { ["Centrum:Jobs:MaxRunningPerApplication"] = "1" });
        _store.Organizations.Add(App, "north");
        _store.Organizations.Add(App, "north-1", "north");
        _store.Organizations.Add(App, "south");
        await _store.AddDevicesAsync(["n1", "n2"], organizations: """["north-1"]""");
        await _store.AddDevicesAsync(["s1"], organizations: """["south"]""");
        await _store.AddGroupAsync("thermostats", $"SELECT * FROM devices WHERE $template = \"{JobStore.Thermostat}\"");
        await _store.AddGroupAsync("south-group", "SELECT * FROM devices", "south");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static JobDefinition PropertyJob(string? group = "thermostats", IReadOnlyList<string>? devices = null, string path = "targetTemperature", JsonNode? value = null) =>
        new("Set temperature", null, group, devices, [new JobData(JobDataKind.Property, JobStore.Thermostat, path, value ?? JsonValue.Create(21.5))]);

    private Task<Outcome<Job>> CreateAsync(string id, JobDefinition definition, OrganizationReach? reach = null) =>
        _store.Jobs.CreateAsync(App, id, definition, reach ?? Everything, CancellationToken.None);

    [Fact]
    public async Task A_job_is_stored_with_its_definition_and_admitted_to_run_when_a_slot_is_free()
    {
        var created = await CreateAsync("job-1", PropertyJob() with { Batch = new JobBatch(JobAmountKind.Number, 20), CancellationThreshold = new JobCancellationThreshold(JobAmountKind.Percentage, 10, true) });

        Assert.True(created.Succeeded, created.Problem?.Message);
        Assert.Equal(JobStatus.Running, created.Value.Status);
        Assert.NotNull(created.Value.Start);
        Assert.Equal(new JobBatch(JobAmountKind.Number, 20), created.Value.Definition.Batch);
        Assert.Equal(21.5, created.Value.Definition.Data[0].Value!.GetValue<double>());

        var read = await _store.Jobs.GetAsync(App, "job-1", Everything, CancellationToken.None);
        Assert.Equal(created.Value!.Definition.CancellationThreshold, read.Value!.Definition.CancellationThreshold);
    }

    [Fact]
    public async Task Jobs_beyond_the_running_slots_wait_as_pending_and_run_when_one_stops()
    {
        Assert.Equal(JobStatus.Running, (await CreateAsync("first", PropertyJob())).Value!.Status);
        Assert.Equal(JobStatus.Pending, (await CreateAsync("second", PropertyJob())).Value!.Status);

        var stopped = await _store.Jobs.StopAsync(App, "first", Everything, CancellationToken.None);

        Assert.Equal(JobStatus.Stopped, stopped.Value!.Status);
        Assert.Equal(JobStatus.Running, (await _store.Jobs.GetAsync(App, "second", Everything, CancellationToken.None)).Value!.Status);

        // Resumed, the first waits for the slot the second now holds.
        Assert.Equal(JobStatus.Pending, (await _store.Jobs.ResumeAsync(App, "first", Everything, CancellationToken.None)).Value!.Status);
    }

    [Fact]
    public async Task Stop_resume_and_rerun_refuse_a_job_in_the_wrong_status()
    {
        await CreateAsync("job", PropertyJob());

        Assert.Equal(ProblemKind.Conflict, (await _store.Jobs.ResumeAsync(App, "job", Everything, CancellationToken.None)).Problem!.Kind);
        Assert.Equal(ProblemKind.Conflict, (await _store.Jobs.RerunAsync(App, "job", "again", Everything, CancellationToken.None)).Problem!.Kind);

        await _store.Jobs.StopAsync(App, "job", Everything, CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, (await _store.Jobs.StopAsync(App, "job", Everything, CancellationToken.None)).Problem!.Kind);

        // Stopped before any device failed: nothing to run again.
        Assert.Equal(ProblemKind.Invalid, (await _store.Jobs.RerunAsync(App, "job", "again", Everything, CancellationToken.None)).Problem!.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Jobs.StopAsync(App, "nope", Everything, CancellationToken.None)).Problem!.Kind);
    }

    [Fact]
    public async Task A_rerun_is_a_new_job_on_the_same_definition_within_both_reaches()
    {
        // Made by a caller of the north organization; re-run by one who reaches the whole application.
        var north = OrganizationReach.Within(["north", "north-1"]);
        Assert.True((await CreateAsync("job", PropertyJob(group: null, devices: ["n1", "n2"]) with { Organizations = ["north"] }, north)).Succeeded);
        await _store.Jobs.StopAsync(App, "job", Everything, CancellationToken.None);
        await using (var db = await _store.ContextAsync())
        {
            db.JobDevices.Add(new JobDeviceEntity { ApplicationId = App, JobId = "job", DeviceId = "n1", Status = "failed", Reason = "offline" });
            await db.SaveChangesAsync();
        }

        var rerun = await _store.Jobs.RerunAsync(App, "job", "job-again", Everything, CancellationToken.None);

        Assert.True(rerun.Succeeded, rerun.Problem?.Message);
        Assert.Equal("job", rerun.Value!.RerunOf);
        Assert.Equal(["n1", "n2"], rerun.Value.Definition.Devices!);
        Assert.Equal(["north"], rerun.Value.Definition.Organizations!);
        await using var read = await _store.ContextAsync();
        // The re-run acts no further than the job's creator reached.
        Assert.Equal("[\"north\",\"north-1\"]", (await read.Jobs.SingleAsync(j => j.Id == "job-again")).Reach);
        Assert.Equal(ProblemKind.Conflict, (await _store.Jobs.RerunAsync(App, "job", "job-again", Everything, CancellationToken.None)).Problem!.Kind);

        // A caller who does not reach the job's organization does not find it.
        Assert.Equal(ProblemKind.NotFound, (await _store.Jobs.RerunAsync(App, "job", "other", OrganizationReach.Within(["south"]), CancellationToken.None)).Problem!.Kind);
    }

    [Fact]
    public async Task A_job_id_is_used_once()
    {
        Assert.True((await CreateAsync("once", PropertyJob())).Succeeded);
        Assert.Equal(ProblemKind.Conflict, (await CreateAsync("once", PropertyJob())).Problem!.Kind);
        Assert.Equal(ProblemKind.Invalid, (await CreateAsync("not valid!", PropertyJob())).Problem!.Kind);
        Assert.Equal(ProblemKind.Invalid, (await CreateAsync(new string('a', JobLimits.MaxIdLength + 1), PropertyJob())).Problem!.Kind);
    }

    [Fact]
    public async Task Two_creates_of_one_id_at_once_make_one_job_and_the_other_is_a_conflict()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => CreateAsync("raced", PropertyJob()))));

        Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Equal(ProblemKind.Conflict, o.Problem!.Kind));
        await using var db = await _store.ContextAsync();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Id == "raced"));
    }

    public static TheoryData<string, JobDefinition, string> Refusals => new()
    {
        { "neither group nor devices", PropertyJob(group: null), "one of the two" },
        { "both group and devices", PropertyJob(devices: ["n1"]), "one of the two" },
        { "a device listed twice", PropertyJob(group: null, devices: ["n1", "n1"]), "listed twice" },
        { "an unknown group", PropertyJob(group: "nope"), "device group 'nope' was not found" },
        { "an unknown device", PropertyJob(group: null, devices: ["ghost"]), "device 'ghost' was not found" },
        { "no data", PropertyJob() with { Data = [] }, "1 to 100 entries" },
        { "mixed kinds", PropertyJob() with { Data = [new JobData(JobDataKind.Property, JobStore.Thermostat, "targetTemperature", 1), new JobData(JobDataKind.Command, JobStore.Thermostat, "reboot")] }, "one type" },
        { "an undeclared property", PropertyJob(path: "humidity"), "humidity" },
        { "a read-only property", PropertyJob(path: "serialNumber", value: "x"), "serialNumber" },
        { "a value of the wrong schema", PropertyJob(value: "warm"), "targetTemperature" },
        { "a cloud property as a device property", PropertyJob(path: "site", value: "x"), "cloudProperty" },
        { "a device property as a cloud property", PropertyJob() with { Data = [new JobData(JobDataKind.CloudProperty, JobStore.Thermostat, "targetTemperature", 1)] }, "not a cloud property" },
        { "a property without a value", PropertyJob() with { Data = [new JobData(JobDataKind.Property, JobStore.Thermostat, "targetTemperature")] }, "value is required" },
        { "an undeclared command", PropertyJob() with { Data = [new JobData(JobDataKind.Command, JobStore.Thermostat, "explode")] }, "explode" },
        { "a command request of the wrong schema", PropertyJob() with { Data = [new JobData(JobDataKind.Command, JobStore.Thermostat, "reboot", "soon")] }, "schema" },
        { "an undeclared component", PropertyJob(path: "pump.speed", value: 3), "pump" },
        { "an unknown template", PropertyJob() with { Data = [new JobData(JobDataKind.Property, "dtmi:centrum:none;1", "x", 1)] }, "does not exist" },
        { "a migration to an unknown template", PropertyJob() with { Data = [new JobData(JobDataKind.DeviceTemplateMigration, Template: "dtmi:centrum:none;1")] }, "does not exist" },
        { "a migration to an unknown manifest", PropertyJob() with { Data = [new JobData(JobDataKind.DeviceManifestMigration, Manifest: "m")] }, "deployment manifest 'm' does not exist" },
        { "a batch of no devices", PropertyJob() with { Batch = new JobBatch(JobAmountKind.Number, 0) }, "batch" },
        { "a fractional batch", PropertyJob() with { Batch = new JobBatch(JobAmountKind.Number, 2.5) }, "batch" },
        { "a batch over 100 percent", PropertyJob() with { Batch = new JobBatch(JobAmountKind.Percentage, 101) }, "batch" },
        { "a threshold of 0 percent", PropertyJob() with { CancellationThreshold = new JobCancellationThreshold(JobAmountKind.Percentage, 0, false) }, "cancellationThreshold" },
        { "a negative connection timeout", PropertyJob() with { ConnectionTimeout = TimeSpan.FromSeconds(-1) }, "connectionTimeout" },
        { "a connection timeout over an hour", PropertyJob() with { ConnectionTimeout = TimeSpan.FromHours(2) }, "connectionTimeout" },
        { "a rollout of no devices", PropertyJob() with { Rollout = new JobRollout(0) }, "devicesPerMinute" },
        { "an increment without its trigger", PropertyJob() with { Rollout = new JobRollout(10, 2) }, "go together" },
        { "a maximum below the start", PropertyJob() with { Rollout = new JobRollout(10, MaximumPerMinute: 5) }, "maximumPerMinute" },
        { "an abort rate over 100", PropertyJob() with { Abort = new JobAbort(150, 10) }, "abort" },
        { "two organizations", PropertyJob() with { Organizations = ["north", "south"] }, "one organization" },
        { "an unknown organization", PropertyJob() with { Organizations = ["west"] }, "does not exist" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_definition_that_cannot_run_is_refused_with_what_is_wrong_and_nothing_is_stored(string why, JobDefinition definition, string message)
    {
        var created = await CreateAsync("refused", definition);

        Assert.False(created.Succeeded, why);
        Assert.Contains(message, created.Problem!.Message, StringComparison.Ordinal);
        await using var db = await _store.ContextAsync();
        Assert.False(await db.Jobs.AnyAsync());
    }

    [Fact]
    public async Task A_caller_scoped_to_an_organization_targets_only_devices_and_groups_within_it()
    {
        var north = OrganizationReach.Within(["north", "north-1"]);

        // A device of another organization is answered as one that does not exist.
        var outside = await CreateAsync("j1", PropertyJob(group: null, devices: ["n1", "s1"]) with { Organizations = ["north"] }, north);
        Assert.Equal(ProblemKind.Invalid, outside.Problem!.Kind);
        Assert.Contains("'s1' was not found", outside.Problem.Message, StringComparison.Ordinal);

        // So is a group of another organization.
        var group = await CreateAsync("j2", PropertyJob(group: "south-group") with { Organizations = ["north"] }, north);
        Assert.Contains("'south-group' was not found", group.Problem!.Message, StringComparison.Ordinal);

        // A scoped caller places the job in its organizations, never in the whole application.
        Assert.Equal(ProblemKind.Forbidden, (await CreateAsync("j3", PropertyJob(group: null, devices: ["n1"]), north)).Problem!.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await CreateAsync("j4", PropertyJob(group: null, devices: ["n1"]) with { Organizations = ["south"] }, north)).Problem!.Kind);

        var inside = await CreateAsync("j5", PropertyJob(group: null, devices: ["n1", "n2"]) with { Organizations = ["north"] }, north);
        Assert.True(inside.Succeeded, inside.Problem?.Message);
        await using var db = await _store.ContextAsync();
        Assert.Equal("[\"north\",\"north-1\"]", (await db.Jobs.SingleAsync(j => j.Id == "j5")).Reach);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_by_page_and_only_within_the_callers_reach()
    {
        var north = OrganizationReach.Within(["north", "north-1"]);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await CreateAsync($"app-{i}", PropertyJob())).Succeeded);
            Assert.True((await CreateAsync($"north-{i}", PropertyJob(group: null, devices: ["n1"]) with { Organizations = ["north"] }, north)).Succeeded);
        }

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await _store.Jobs.ListAsync(App, null, after, 3, Everything, CancellationToken.None);
            Assert.True(page.Value!.Jobs.Count <= 3);
            seen.AddRange(page.Value.Jobs.Select(j => j.Id));
            after = page.Value.ContinueAfter;
        }
        while (after is not null);

        Assert.Equal(10, seen.Distinct().Count());
        Assert.Equal(["north-4", "app-4"], seen.Take(2));

        var scoped = await _store.Jobs.ListAsync(App, null, null, 100, north, CancellationToken.None);
        Assert.Equal(["north-4", "north-3", "north-2", "north-1", "north-0"], scoped.Value!.Jobs.Select(j => j.Id));
        Assert.Equal(ProblemKind.NotFound, (await _store.Jobs.GetAsync(App, "app-1", north, CancellationToken.None)).Problem!.Kind);
        Assert.Equal(ProblemKind.NotFound, (await _store.Jobs.StopAsync(App, "app-1", north, CancellationToken.None)).Problem!.Kind);
        Assert.Equal(ProblemKind.Invalid, (await _store.Jobs.ListAsync(App, null, "garbage", 10, Everything, CancellationToken.None)).Problem!.Kind);
        Assert.Equal(ProblemKind.Invalid, (await _store.Jobs.ListAsync(App, null, null, 0, Everything, CancellationToken.None)).Problem!.Kind);
    }

    [Fact]
    public async Task A_caller_who_reaches_few_of_many_jobs_pages_through_them_within_a_read_budget()
    {
        // Two jobs of the north organization, older than 1,200 of the whole application (written as rows: the list is what is tested).
        await using (var db = await _store.ContextAsync())
        {
            for (var i = 0; i < 1202; i++)
            {
                db.Jobs.Add(new JobEntity
                {
                    ApplicationId = App, Id = $"job-{i:D4}", Definition = """{"data":[]}""", Status = "complete", CreatedTicks = i,
                    Organizations = i < 2 ? """["north"]""" : "[]",
                });
            }

            await db.SaveChangesAsync();
        }

        var north = OrganizationReach.Within(["north", "north-1"]);
        var requests = 0;
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await _store.Jobs.ListAsync(App, null, after, 10, north, CancellationToken.None);
            requests++;
            seen.AddRange(page.Value!.Jobs.Select(j => j.Id));
            after = page.Value.ContinueAfter;
        }
        while (after is not null && requests < 10);

        Assert.Equal(["job-0001", "job-0000"], seen);
        // The first request stopped at the budget with an empty page and where to go on.
        Assert.Equal(2, requests);
    }
}
