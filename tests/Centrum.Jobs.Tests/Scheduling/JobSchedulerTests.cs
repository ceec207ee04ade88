using Centrum.Jobs.Scheduling;
using Centrum.Organizations;
using Centrum.Outcomes;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Tests.Scheduling;

/// <summary>
/// Issue 13: "a recurring scheduled job that runs on its days and stops at its end, driven by a test clock". The clock
/// moves a day at a time across weeks and months; after each move the scheduler has passed, and the jobs that exist are
/// exactly the runs due so far.
/// </summary>
public sealed class JobSchedulerTests : ScheduledJobTestBase
{
    private static readonly DateTimeOffset FirstMonday = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_weekly_schedule_runs_on_its_days_only_and_stops_at_its_end_date()
    {
        // Mondays from January 5 to February 2 (inclusive): five runs.
        var schedule = new JobSchedule(FirstMonday, JobRecurrence.Weekly, EndDate: new DateOnly(2026, 2, 2));
        Assert.True((await PutAsync("weekly", Reboot("Weekly reboot"), schedule)).Succeeded);
        var scheduler = await StartSchedulerAsync();
        var expected = new List<DateOnly>();

        for (var day = 0; day < 45; day++)
        {
            await AdvanceAsync(scheduler, TimeSpan.FromDays(1));
            var today = DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);
            if (today.DayOfWeek == DayOfWeek.Monday && today <= new DateOnly(2026, 2, 2))
            {
                expected.Add(today);
            }

            var runs = await RunsAsync("weekly");
            Assert.Equal(expected, runs.Select(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime)).ToList());
        }

        var row = await RowAsync("weekly");
        var all = await RunsAsync("weekly");
        Assert.Equal(5, all.Count);
        for (var n = 1; n <= all.Count; n++)
        {
            Assert.Equal($"Weekly reboot - {n}", all[n - 1].DisplayName);
            Assert.Equal(ScheduledJobService.RunJobId(App, "weekly", row.CreatedAt, n), all[n - 1].Id);
            Assert.Equal("weekly", all[n - 1].ScheduledJobId);
        }

        Assert.True(row.Completed);
        Assert.Null(row.NextRunTicks);
        Assert.Equal(5, row.Occurrences);
        var read = await Schedules.GetAsync(App, "weekly", Everything, CancellationToken.None);
        Assert.True(read.Value!.Completed);
        var listed = await Schedules.JobsAsync(App, "weekly", null, 100, Everything, CancellationToken.None);
        Assert.Equal(all.Select(r => r.Id).Reverse(), listed.Value!.Jobs.Select(j => j.Id));

        // Each run is audited as the platform's action, naming the job.
        var audited = Store.Audit.Entries.Where(e => e.Entry.ResourceType == "job").Select(e => e.Entry).ToList();
        Assert.Equal(all.Select(r => r.Id), audited.Select(a => a.ResourceId));
        Assert.All(audited, a => Assert.Equal(("created", JobScheduler.ActorType, "scheduledJob:weekly", 200), (a.Action, a.ActorType, a.ActorId, a.Outcome)));

        // Deleting the schedule keeps the jobs it started.
        Assert.True((await Schedules.DeleteAsync(App, "weekly", Everything, CancellationToken.None)).Succeeded);
        Assert.Equal(5, (await RunsAsync("weekly")).Count);
        Assert.True((await Store.Jobs.GetAsync(App, all[0].Id, Everything, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_daily_schedule_with_an_occurrences_end_runs_that_many_times_then_completes()
    {
        var schedule = new JobSchedule(FirstMonday, JobRecurrence.Daily, EndOccurrences: 3);
        Assert.True((await PutAsync("three", Reboot("Three days"), schedule)).Succeeded);
        var scheduler = await StartSchedulerAsync();

        var counts = new List<int>();
        for (var day = 0; day < 8; day++)
        {
            await AdvanceAsync(scheduler, TimeSpan.FromDays(1));
            counts.Add((await RunsAsync("three")).Count);
        }

        // Sunday 12:00 -> Monday 12:00 (first run), Tuesday, Wednesday, then nothing.
        Assert.Equal([1, 2, 3, 3, 3, 3, 3, 3], counts);
        Assert.Equal(["Three days - 1", "Three days - 2", "Three days - 3"], (await RunsAsync("three")).Select(r => r.DisplayName));
        Assert.True((await RowAsync("three")).Completed);
    }

    [Fact]
    public async Task A_monthly_schedule_on_the_31st_runs_on_each_months_last_day_when_shorter()
    {
        Clock.SetUtcNow(new DateTimeOffset(2026, 1, 30, 12, 0, 0, TimeSpan.Zero));
        var schedule = new JobSchedule(new DateTimeOffset(2026, 1, 31, 6, 0, 0, TimeSpan.Zero), JobRecurrence.Monthly, EndOccurrences: 4);
        Assert.True((await PutAsync("monthly", Reboot("Month end"), schedule)).Succeeded);
        var scheduler = await StartSchedulerAsync();

        var days = new List<DateOnly>();
        for (var day = 0; day < 130; day++)
        {
            await AdvanceAsync(scheduler, TimeSpan.FromDays(1));
            var runs = await RunsAsync("monthly");
            if (runs.Count > days.Count)
            {
                days.Add(DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime));
            }

            Assert.Equal(days.Count, runs.Count);
        }

        Assert.Equal([new DateOnly(2026, 1, 31), new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 31), new DateOnly(2026, 4, 30)], days);
        Assert.True((await RowAsync("monthly")).Completed);
    }

    [Fact]
    public async Task A_disabled_schedule_does_not_run_and_runs_again_once_enabled()
    {
        var schedule = new JobSchedule(FirstMonday, JobRecurrence.Daily);
        Assert.True((await PutAsync("paused", Reboot("Paused"), schedule, enabled: false)).Succeeded);
        var scheduler = await StartSchedulerAsync();

        for (var day = 0; day < 3; day++)
        {
            await AdvanceAsync(scheduler, TimeSpan.FromDays(1));
        }

        Assert.Empty(await RunsAsync("paused"));

        var enabled = await Schedules.UpdateAsync(App, "paused", current => current with { Enabled = true }, null, Everything, CancellationToken.None);
        Assert.True(enabled.Succeeded, enabled.Problem?.Message);
        // Enabled on Wednesday at 12:00: the days it was disabled are not caught up; the next run is Thursday 09:00.
        Assert.Equal(new DateTimeOffset(2026, 1, 8, 9, 0, 0, TimeSpan.Zero), enabled.Value!.NextRun);
        await PassedAsync(scheduler);
        Assert.Empty(await RunsAsync("paused"));

        await AdvanceAsync(scheduler, TimeSpan.FromDays(1));
        Assert.Single(await RunsAsync("paused"));

        // While its run is active the schedule cannot be changed (IoT Central's rule for update); once it ends it can.
        var refused = await Schedules.UpdateAsync(App, "paused", current => current with { Enabled = false }, null, Everything, CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        await CompleteRunsAsync("paused");
        Assert.True((await Schedules.UpdateAsync(App, "paused", current => current with { Enabled = false }, null, Everything, CancellationToken.None)).Succeeded);

        await AdvanceAsync(scheduler, TimeSpan.FromDays(2));
        Assert.Single(await RunsAsync("paused"));
    }

    [Fact]
    public async Task A_restarted_scheduler_neither_repeats_a_run_nor_makes_up_every_missed_one()
    {
        var schedule = new JobSchedule(FirstMonday, JobRecurrence.Daily);
        Assert.True((await PutAsync("daily", Reboot("Daily"), schedule)).Succeeded);
        var first = await StartSchedulerAsync();
        await AdvanceAsync(first, TimeSpan.FromDays(1));
        await AdvanceAsync(first, TimeSpan.FromDays(1));
        Assert.Equal(2, (await RunsAsync("daily")).Count);

        // A restart at once: nothing is due, nothing repeats.
        await StopAsync(first);
        var second = await StartSchedulerAsync();
        Assert.Equal(2, (await RunsAsync("daily")).Count);

        // Down for three days: one run for the latest missed occurrence, then on as usual.
        await StopAsync(second);
        Clock.Advance(TimeSpan.FromDays(3));
        var third = await StartSchedulerAsync();
        var runs = await RunsAsync("daily");
        Assert.Equal(["Daily - 1", "Daily - 2", "Daily - 3"], runs.Select(r => r.DisplayName));
        Assert.Equal(Clock.GetUtcNow(), runs[^1].CreatedAt);
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero), (await Schedules.GetAsync(App, "daily", Everything, CancellationToken.None)).Value!.NextRun);

        await AdvanceAsync(third, TimeSpan.FromDays(1));
        Assert.Equal(4, (await RunsAsync("daily")).Count);
    }

    [Fact]
    public async Task A_run_claimed_before_a_crash_gets_its_job_on_restart_and_is_not_claimed_again()
    {
        var schedule = new JobSchedule(FirstMonday, JobRecurrence.Daily);
        Assert.True((await PutAsync("crash", Reboot("Crash"), schedule)).Succeeded);
        Clock.Advance(TimeSpan.FromDays(1));

        // The first scheduler claims Monday's run and dies before it creates the job.
        var dying = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<JobScheduler>(Store.Services);
        var claimed = await dying.ClaimAsync(await RowAsync("crash"), Clock.GetUtcNow(), CancellationToken.None);
        Assert.NotNull(claimed);
        dying.Dispose();
        Assert.Empty(await RunsAsync("crash"));
        Assert.Equal(1, (await RowAsync("crash")).Occurrences);

        var restarted = await StartSchedulerAsync();
        var runs = await RunsAsync("crash");
        var run = Assert.Single(runs);
        Assert.Equal("Crash - 1", run.DisplayName);
        Assert.Equal(ScheduledJobService.RunJobId(App, "crash", claimed.CreatedAt, 1), run.Id);
        Assert.Equal(1, (await RowAsync("crash")).Occurrences);

        // Repairing twice (another restart) changes nothing: the job exists under its id.
        await restarted.RepairAsync(CancellationToken.None);
        Assert.Single(await RunsAsync("crash"));
        await AdvanceAsync(restarted, TimeSpan.FromDays(1));
        Assert.Equal(["Crash - 1", "Crash - 2"], (await RunsAsync("crash")).Select(r => r.DisplayName));
    }

    [Fact]
    public async Task A_schedules_runs_act_within_its_creators_reach()
    {
        var north = OrganizationReach.Within(["north", "north-1"]);
        var created = await PutAsync("north-reboot", Reboot("North", "north-group", ["north"]), new JobSchedule(FirstMonday, JobRecurrence.Daily), reach: north);
        Assert.True(created.Succeeded, created.Problem?.Message);
        var scheduler = await StartSchedulerAsync();

        await AdvanceAsync(scheduler, TimeSpan.FromDays(1));

        var run = Assert.Single(await RunsAsync("north-reboot"));
        Assert.Equal("""["north","north-1"]""", run.Reach);
        Assert.Equal("""["north"]""", run.Organizations);
        // A caller of another organization sees neither the schedule nor its run.
        var south = OrganizationReach.Within(["south"]);
        Assert.Equal(ProblemKind.NotFound, (await Schedules.GetAsync(App, "north-reboot", south, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Schedules.JobsAsync(App, "north-reboot", null, 10, south, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Store.Jobs.GetAsync(App, run.Id, south, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task A_run_that_can_no_longer_be_made_is_recorded_as_failed_and_the_schedule_moves_on()
    {
        await Store.AddGroupAsync("doomed", "SELECT * FROM devices");
        Assert.True((await PutAsync("orphan", Reboot("Orphan", "doomed"), new JobSchedule(FirstMonday, JobRecurrence.Daily))).Succeeded);
        Assert.True((await Store.Groups.DeleteAsync(App, "doomed", Everything, CancellationToken.None)).Succeeded);
        var scheduler = await StartSchedulerAsync();

        await AdvanceAsync(scheduler, TimeSpan.FromDays(1));

        var run = Assert.Single(await RunsAsync("orphan"));
        Assert.Equal("failed", run.Status);
        Assert.Contains("doomed", run.StatusReason, StringComparison.Ordinal);
        var audited = Assert.Single(Store.Audit.Entries, e => e.Entry.ResourceId == run.Id).Entry;
        Assert.Equal(400, audited.Outcome);
        Assert.Equal(1, (await RowAsync("orphan")).Occurrences);
        Assert.False((await RowAsync("orphan")).Completed);

        // A restart does not try the failed run again.
        await StopAsync(scheduler);
        await StartSchedulerAsync();
        Assert.Single(await RunsAsync("orphan"));
        Assert.Single(Store.Audit.Entries, e => e.Entry.ResourceId == run.Id);
    }
}
