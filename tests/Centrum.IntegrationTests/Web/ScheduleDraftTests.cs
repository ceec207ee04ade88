using Centrum.Jobs.Scheduling;
using Centrum.Web.Pages.Jobs;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The scheduled-job pages' schedule fields: what the browser's date and time inputs give is read into the jobs area's
/// schedule, a stored schedule shown in them reads back unchanged, and what cannot be read is named.
/// </summary>
public sealed class ScheduleDraftTests
{
    [Fact]
    public void A_stored_schedule_shown_in_the_fields_reads_back_unchanged()
    {
        var random = new Random(20261128);
        for (var i = 0; i < 500; i++)
        {
            // Whole seconds: what a datetime-local input holds.
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.NextInt64(0, 10L * 365 * 24 * 3600));
            JobRecurrence? recurrence = random.Next(4) switch { 0 => null, 1 => JobRecurrence.Daily, 2 => JobRecurrence.Weekly, _ => JobRecurrence.Monthly };
            var end = recurrence is null ? 0 : random.Next(3);
            var schedule = new JobSchedule(
                start,
                recurrence,
                end == 1 ? DateOnly.FromDateTime(start.UtcDateTime).AddDays(random.Next(0, 400)) : null,
                end == 2 ? random.Next(1, ScheduledJobService.MaxOccurrences + 1) : null);
            var enabled = random.Next(2) == 0;

            var draft = ScheduleDraft.From(schedule, enabled);
            var read = draft.ToSchedule();

            Assert.True(read.Succeeded, $"{schedule}: {(read.Succeeded ? "" : read.Problem.Message)}");
            Assert.Equal(schedule, read.Value);
            Assert.Equal(enabled, draft.Enabled);
            Assert.Null(ScheduledJobService.CheckSchedule(read.Value));
        }
    }

    [Fact]
    public void A_datetime_local_value_is_read_as_utc_and_a_one_off_schedule_takes_no_end()
    {
        var draft = new ScheduleDraft { Start = "2030-01-15T02:30", End = ScheduleEndKind.Occurrences, Occurrences = 3 };

        var read = draft.ToSchedule();

        Assert.True(read.Succeeded);
        Assert.Equal(new JobSchedule(new DateTimeOffset(2030, 1, 15, 2, 30, 0, TimeSpan.Zero)), read.Value);
        Assert.Equal("once at 2030-01-15 02:30 UTC", ScheduleDraft.Describe(read.Value));
    }

    [Theory]
    [InlineData("", null, ScheduleEndKind.Never, "", null, "Give the start as a date and time (UTC).")]
    [InlineData("15/01/2030 02:30", null, ScheduleEndKind.Never, "", null, "Give the start as a date and time (UTC).")]
    [InlineData("2030-01-15T02:30", JobRecurrence.Weekly, ScheduleEndKind.Date, "next year", null, "Give the end as a date (UTC).")]
    [InlineData("2030-01-15T02:30", JobRecurrence.Monthly, ScheduleEndKind.Occurrences, "", null, "Give the number of runs after which the schedule ends.")]
    public void What_cannot_be_read_is_named(string start, JobRecurrence? recurrence, ScheduleEndKind end, string endDate, int? occurrences, string message)
    {
        var draft = new ScheduleDraft { Start = start, Recurrence = recurrence, End = end, EndDate = endDate, Occurrences = occurrences };

        var read = draft.ToSchedule();

        Assert.False(read.Succeeded);
        Assert.Equal(message, read.Problem.Message);
    }

    [Fact]
    public void A_schedule_is_described_as_a_person_reads_it()
    {
        var start = new DateTimeOffset(2030, 1, 15, 2, 30, 0, TimeSpan.Zero);

        Assert.Equal("weekly from 2030-01-15 02:30 UTC, 3 runs", ScheduleDraft.Describe(new JobSchedule(start, JobRecurrence.Weekly, EndOccurrences: 3)));
        Assert.Equal("monthly from 2030-01-15 02:30 UTC until 2030-12-31", ScheduleDraft.Describe(new JobSchedule(start, JobRecurrence.Monthly, new DateOnly(2030, 12, 31))));
        Assert.Equal("daily from 2030-01-15 02:30 UTC", ScheduleDraft.Describe(new JobSchedule(start, JobRecurrence.Daily)));
    }
}
