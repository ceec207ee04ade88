using Centrum.Jobs.Scheduling;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Tests.Scheduling;

/// <summary>The rules of scheduled jobs, decided before anything runs: the schedule, the definition, etags, reach and the next run a write sets.</summary>
public sealed class ScheduledJobServiceTests : ScheduledJobTestBase
{
    private static readonly DateTimeOffset Tomorrow = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, JobSchedule> RefusedSchedules() => new()
    {
        { "one-off with an end date", new JobSchedule(Tomorrow, null, EndDate: new DateOnly(2026, 2, 1)) },
        { "one-off with occurrences", new JobSchedule(Tomorrow, null, EndOccurrences: 2) },
        { "end before start", new JobSchedule(Tomorrow, JobRecurrence.Daily, EndDate: new DateOnly(2026, 1, 4)) },
        { "no occurrences", new JobSchedule(Tomorrow, JobRecurrence.Daily, EndOccurrences: 0) },
        { "1000 occurrences", new JobSchedule(Tomorrow, JobRecurrence.Daily, EndOccurrences: 1000) },
        { "both ends", new JobSchedule(Tomorrow, JobRecurrence.Daily, new DateOnly(2026, 2, 1), 3) },
    };

    [Theory]
    [MemberData(nameof(RefusedSchedules))]
    public async Task A_schedule_that_breaks_iot_centrals_rules_is_refused(string why, JobSchedule schedule)
    {
        var refused = await PutAsync("bad", Reboot(), schedule);

        Assert.True(refused.Problem?.Kind == ProblemKind.Invalid, why);
        Assert.Equal(ProblemKind.NotFound, (await Schedules.GetAsync(App, "bad", Everything, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task The_definition_meets_every_rule_of_a_job()
    {
        var schedule = new JobSchedule(Tomorrow, JobRecurrence.Daily);
        var mixed = Reboot() with { Data = [.. Reboot().Data, new JobData(JobDataKind.Property, JobStore.Thermostat, "targetTemperature", System.Text.Json.Nodes.JsonValue.Create(20))] };

        Assert.Equal(ProblemKind.Invalid, (await PutAsync("mixed", mixed, schedule)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await PutAsync("nogroup", Reboot(group: "missing"), schedule)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await PutAsync("bad id!", Reboot(), schedule)).Problem?.Kind);
        // An explicit device list (Centrum's extension of a job) is accepted for a schedule too.
        Assert.True((await PutAsync("listed", Reboot() with { Group = null, Devices = ["n1"] }, schedule)).Succeeded);
    }

    [Fact]
    public async Task A_write_sets_the_next_run_from_now_without_catching_up_past_occurrences()
    {
        // The clock is at Sunday 2026-01-04 12:00.
        var future = await PutAsync("future", Reboot(), new JobSchedule(Tomorrow, JobRecurrence.Weekly));
        var past = await PutAsync("past", Reboot(), new JobSchedule(new DateTimeOffset(2025, 12, 1, 9, 0, 0, TimeSpan.Zero), JobRecurrence.Daily));
        var onceLate = await PutAsync("late", Reboot(), new JobSchedule(new DateTimeOffset(2026, 1, 4, 11, 0, 0, TimeSpan.Zero)));
        var ended = await PutAsync("ended", Reboot(), new JobSchedule(new DateTimeOffset(2025, 12, 1, 9, 0, 0, TimeSpan.Zero), JobRecurrence.Daily, new DateOnly(2025, 12, 31)));

        Assert.Equal(Tomorrow, future.Value!.NextRun);
        Assert.Equal(Tomorrow, past.Value!.NextRun);
        Assert.Equal(new DateTimeOffset(2026, 1, 4, 11, 0, 0, TimeSpan.Zero), onceLate.Value!.NextRun);
        Assert.True(ended.Value!.Completed);
        Assert.Null(ended.Value.NextRun);
        Assert.True(future.Value.Enabled);
        Assert.False(future.Value.Completed);
    }

    [Fact]
    public async Task Writes_honour_the_etag_and_replace_keeps_a_runs_count()
    {
        var created = await PutAsync("tagged", Reboot(), new JobSchedule(Tomorrow, JobRecurrence.Daily));

        Assert.Equal(ProblemKind.PreconditionFailed, (await PutAsync("tagged", Reboot("Other"), new JobSchedule(Tomorrow), ifMatch: "stale")).Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await Schedules.UpdateAsync(App, "tagged", c => c, "stale", Everything, CancellationToken.None)).Problem?.Kind);
        var replaced = await PutAsync("tagged", Reboot("Renamed"), new JobSchedule(Tomorrow, JobRecurrence.Daily), ifMatch: created.Value!.ETag);
        Assert.True(replaced.Succeeded, replaced.Problem?.Message);
        Assert.NotEqual(created.Value.ETag, replaced.Value!.ETag);
        Assert.Equal("Renamed", replaced.Value.Definition.DisplayName);
        var patched = await Schedules.UpdateAsync(App, "tagged", c => c with { Schedule = c.Schedule with { Recurrence = JobRecurrence.Weekly } }, replaced.Value.ETag, Everything, CancellationToken.None);
        Assert.Equal(JobRecurrence.Weekly, patched.Value!.Schedule.Recurrence);

        var deleted = await Schedules.DeleteAsync(App, "tagged", Everything, CancellationToken.None);
        Assert.True(deleted.Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await Schedules.GetAsync(App, "tagged", Everything, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task A_caller_scoped_to_an_organization_places_schedules_only_within_it_and_sees_only_those()
    {
        var north = OrganizationReach.Within(["north", "north-1"]);
        var schedule = new JobSchedule(Tomorrow, JobRecurrence.Daily);

        // Nowhere (the whole application) and elsewhere are beyond its reach; so is a group it does not see.
        Assert.Equal(ProblemKind.Forbidden, (await PutAsync("n", Reboot(group: "north-group"), schedule, reach: north)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await PutAsync("n", Reboot(group: "north-group", organizations: ["south"]), schedule, reach: north)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await PutAsync("n", Reboot(group: "thermostats", organizations: ["north"]), schedule, reach: north)).Problem?.Kind);
        Assert.True((await PutAsync("n", Reboot(group: "north-group", organizations: ["north"]), schedule, reach: north)).Succeeded);
        Assert.True((await PutAsync("everyone", Reboot(), schedule)).Succeeded);

        var seen = await Schedules.ListAsync(App, null, 10, north, CancellationToken.None);
        Assert.Equal(["n"], seen.Value!.ScheduledJobs.Select(s => s.Id));
        Assert.Equal(ProblemKind.NotFound, (await Schedules.GetAsync(App, "everyone", north, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Schedules.DeleteAsync(App, "everyone", north, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(2, (await Schedules.ListAsync(App, null, 10, Everything, CancellationToken.None)).Value!.ScheduledJobs.Count);
    }

    [Fact]
    public async Task The_list_pages_by_id()
    {
        var schedule = new JobSchedule(Tomorrow, JobRecurrence.Daily);
        foreach (var id in new[] { "c", "a", "b" })
        {
            Assert.True((await PutAsync(id, Reboot(), schedule)).Succeeded);
        }

        var first = await Schedules.ListAsync(App, null, 2, Everything, CancellationToken.None);
        var second = await Schedules.ListAsync(App, first.Value!.ContinueAfter, 2, Everything, CancellationToken.None);

        Assert.Equal(["a", "b"], first.Value.ScheduledJobs.Select(s => s.Id));
        Assert.Equal(["c"], second.Value!.ScheduledJobs.Select(s => s.Id));
        Assert.Null(second.Value.ContinueAfter);
        Assert.Equal(ProblemKind.Invalid, (await Schedules.ListAsync(App, null, 0, Everything, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task An_application_holds_at_most_its_bound_of_scheduled_jobs()
    {
        var schedule = new JobSchedule(Tomorrow, JobRecurrence.Daily);
        Assert.True((await PutAsync("first", Reboot(), schedule)).Succeeded);
        await using (var db = await Store.ContextAsync())
        {
            var row = await db.ScheduledJobs.AsNoTracking().SingleAsync(s => s.Id == "first");
            for (var i = 1; i < ScheduledJobService.MaxScheduledJobs; i++)
            {
                db.ScheduledJobs.Add(new ScheduledJobEntity
                {
                    ApplicationId = App, Id = $"filler-{i:D4}", Definition = row.Definition, Schedule = row.Schedule, ETag = "e", NextRunTicks = row.NextRunTicks,
                });
            }

            await db.SaveChangesAsync();
        }

        Assert.Equal(ProblemKind.LimitReached, (await PutAsync("one-too-many", Reboot(), schedule)).Problem?.Kind);
        // Replacing one that exists is not a new one.
        Assert.True((await PutAsync("first", Reboot("Renamed"), schedule)).Succeeded);
    }

    [Fact]
    public void A_runs_job_id_is_a_version_8_uuid_that_depends_on_every_part_of_its_name()
    {
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var id = ScheduledJobService.RunJobId(App, "s", created, 1);

        Assert.Equal(id, ScheduledJobService.RunJobId(App, "s", created, 1));
        Assert.Equal('8', id[14]);
        Assert.Equal(5, new[] { ScheduledJobService.RunJobId("other", "s", created, 1), ScheduledJobService.RunJobId(App, "t", created, 1), ScheduledJobService.RunJobId(App, "s", created.AddTicks(1), 1), ScheduledJobService.RunJobId(App, "s", created, 2) }.Append(id).Distinct().Count());
        Assert.Equal(JobLimits.MaxTextLength, JobScheduler.RunDisplayName(new string('x', 5000), 999).Length);
    }
}
