using System.Text.Json.Nodes;
using Centrum.Jobs.Scheduling;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Centrum.Jobs.Tests.Scheduling;

/// <summary>
/// The jobs area on SQLite with a moved clock: schedules are written through <see cref="ScheduledJobService"/>, and a
/// <see cref="JobScheduler"/> started here runs them as the clock moves. Waits are on conditions, bounded in real time.
/// </summary>
public abstract class ScheduledJobTestBase : IAsyncLifetime
{
    protected const string App = JobStore.App;

    /// <summary>Real time allowed for the scheduler to act on one move of the clock; it takes milliseconds.</summary>
    private static readonly TimeSpan PassTimeout = TimeSpan.FromSeconds(20);

    protected static readonly OrganizationReach Everything = OrganizationReach.WholeApplication;

    private readonly List<JobScheduler> _schedulers = [];

    /// <summary>Sunday 2026-01-04 12:00 UTC: the clock's start, a day before the weekly schedules' first Monday.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 4, 12, 0, 0, TimeSpan.Zero));

    internal JobStore Store { get; private set; } = null!;

    protected ScheduledJobService Schedules => Store.Services.GetRequiredService<ScheduledJobService>();

    public async Task InitializeAsync()
    {
        Store = await JobStore.StartAsync(compose: services => services.AddSingleton<TimeProvider>(Clock));
        Store.Organizations.Add(App, "north");
        Store.Organizations.Add(App, "north-1", "north");
        Store.Organizations.Add(App, "south");
        await Store.AddDevicesAsync(["n1", "n2"], organizations: """["north-1"]""");
        await Store.AddDevicesAsync(["s1"], organizations: """["south"]""");
        await Store.AddGroupAsync("thermostats", $"SELECT * FROM devices WHERE $template = \"{JobStore.Thermostat}\"");
        await Store.AddGroupAsync("north-group", "SELECT * FROM devices", "north");
    }

    public async Task DisposeAsync()
    {
        foreach (var scheduler in _schedulers)
        {
            await scheduler.StopAsync(CancellationToken.None);
            scheduler.Dispose();
        }

        await Store.DisposeAsync();
    }

    protected static JobDefinition Reboot(string displayName = "Reboot", string group = "thermostats", IReadOnlyList<string>? organizations = null) =>
        new(displayName, null, group, null, [new JobData(JobDataKind.Command, JobStore.Thermostat, "reboot", JsonValue.Create(5))], Organizations: organizations);

    protected Task<Outcome<ScheduledJob>> PutAsync(string id, JobDefinition definition, JobSchedule schedule, bool enabled = true, OrganizationReach? reach = null, string? ifMatch = null) =>
        Schedules.CreateOrReplaceAsync(App, id, new ScheduledJobWrite(definition, schedule, enabled), ifMatch, reach ?? Everything, CancellationToken.None);

    /// <summary>A scheduler over the store, started as the host starts it; stopped when the test ends unless stopped before.</summary>
    internal async Task<JobScheduler> StartSchedulerAsync()
    {
        var scheduler = ActivatorUtilities.CreateInstance<JobScheduler>(Store.Services);
        _schedulers.Add(scheduler);
        await scheduler.StartAsync(CancellationToken.None);
        await PassedAsync(scheduler);
        return scheduler;
    }

    internal async Task StopAsync(JobScheduler scheduler)
    {
        await scheduler.StopAsync(CancellationToken.None);
        _schedulers.Remove(scheduler);
        scheduler.Dispose();
    }

    /// <summary>Moves the clock and waits until the scheduler has made a whole pass at the new time.</summary>
    internal async Task AdvanceAsync(JobScheduler scheduler, TimeSpan by)
    {
        Clock.Advance(by);
        await PassedAsync(scheduler);
    }

    internal async Task PassedAsync(JobScheduler scheduler)
    {
        var target = Clock.GetUtcNow();
        await UntilAsync(() => Task.FromResult(scheduler.LastPass >= target), $"the scheduler passes at {target:O}");
    }

    protected static Task UntilAsync(Func<Task<bool>> condition, string what) => Wait.UntilAsync(condition, PassTimeout, what);

    /// <summary>The jobs a schedule started, oldest first.</summary>
    internal async Task<List<JobEntity>> RunsAsync(string scheduledJobId)
    {
        await using var db = await Store.ContextAsync();
        return (await db.Jobs.AsNoTracking().Where(j => j.ApplicationId == App && j.ScheduledJobId == scheduledJobId).ToListAsync())
            .OrderBy(j => j.CreatedTicks).ThenBy(j => j.DisplayName, StringComparer.Ordinal).ToList();
    }

    internal async Task<ScheduledJobEntity> RowAsync(string scheduledJobId)
    {
        await using var db = await Store.ContextAsync();
        return await db.ScheduledJobs.AsNoTracking().SingleAsync(s => s.ApplicationId == App && s.Id == scheduledJobId);
    }

    /// <summary>Ends the schedule's runs as the job runner would when their devices are done, so the schedule may be edited.</summary>
    internal async Task CompleteRunsAsync(string scheduledJobId)
    {
        await using var db = await Store.ContextAsync();
        await db.Jobs.Where(j => j.ApplicationId == App && j.ScheduledJobId == scheduledJobId)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, "complete").SetProperty(j => j.Revision, j => j.Revision + 1));
    }
}
