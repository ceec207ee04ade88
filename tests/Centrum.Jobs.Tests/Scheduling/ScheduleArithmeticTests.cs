using Centrum.Jobs.Scheduling;

namespace Centrum.Jobs.Tests.Scheduling;

/// <summary>
/// The schedule arithmetic on its own: examples of each recurrence (monthly clamped to the month's end), and seeded
/// random schedules checked for the properties every answer must have.
/// </summary>
public sealed class ScheduleArithmeticTests
{
    private static readonly DateTimeOffset Monday = new(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Daily_and_weekly_occurrences_step_by_one_and_seven_days_in_utc()
    {
        var daily = new JobSchedule(Monday, JobRecurrence.Daily);
        var weekly = new JobSchedule(Monday, JobRecurrence.Weekly);

        Assert.Equal([Monday, Monday.AddDays(1), Monday.AddDays(2)], ScheduleArithmetic.Occurrences(daily, 3));
        Assert.Equal([Monday, Monday.AddDays(7), Monday.AddDays(14)], ScheduleArithmetic.Occurrences(weekly, 3));
    }

    [Fact]
    public void A_start_given_with_an_offset_is_read_as_its_utc_instant()
    {
        var schedule = new JobSchedule(new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.FromHours(2)), JobRecurrence.Daily);

        var first = ScheduleArithmetic.Occurrence(schedule, 0)!.Value;

        Assert.Equal(TimeSpan.Zero, first.Offset);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), first);
    }

    [Fact]
    public void Monthly_on_the_31st_falls_on_each_months_last_day_and_back_on_the_31st()
    {
        var schedule = new JobSchedule(new DateTimeOffset(2028, 1, 31, 6, 0, 0, TimeSpan.Zero), JobRecurrence.Monthly);

        var days = ScheduleArithmetic.Occurrences(schedule, 5).Select(o => DateOnly.FromDateTime(o.UtcDateTime)).ToList();

        // 2028 is a leap year: February 29.
        Assert.Equal([new DateOnly(2028, 1, 31), new DateOnly(2028, 2, 29), new DateOnly(2028, 3, 31), new DateOnly(2028, 4, 30), new DateOnly(2028, 5, 31)], days);
        Assert.Equal(new DateOnly(2027, 2, 28), DateOnly.FromDateTime(ScheduleArithmetic.Occurrence(schedule with { Start = new DateTimeOffset(2027, 1, 31, 6, 0, 0, TimeSpan.Zero) }, 1)!.Value.UtcDateTime));
    }

    [Fact]
    public void A_date_end_is_inclusive_of_its_whole_utc_day()
    {
        var schedule = new JobSchedule(Monday, JobRecurrence.Weekly, EndDate: new DateOnly(2026, 1, 19));

        Assert.Equal([Monday, Monday.AddDays(7), Monday.AddDays(14)], ScheduleArithmetic.Occurrences(schedule, 10));
        Assert.Equal(Monday.AddDays(14), ScheduleArithmetic.NextAfter(schedule, Monday.AddDays(7)));
        Assert.Null(ScheduleArithmetic.NextAfter(schedule, Monday.AddDays(14)));
        Assert.True(ScheduleArithmetic.IsEnded(schedule, 3, null));
    }

    [Fact]
    public void Next_after_an_instant_is_the_first_occurrence_strictly_later()
    {
        var schedule = new JobSchedule(Monday, JobRecurrence.Daily);

        Assert.Equal(Monday, ScheduleArithmetic.NextAfter(schedule, Monday.AddYears(-1)));
        Assert.Equal(Monday.AddDays(1), ScheduleArithmetic.NextAfter(schedule, Monday));
        Assert.Equal(Monday, ScheduleArithmetic.FirstAtOrAfter(schedule, Monday));
        Assert.Equal(Monday.AddDays(31), ScheduleArithmetic.NextAfter(schedule, Monday.AddDays(30).AddTicks(1)));
        Assert.Equal(Monday.AddDays(30), ScheduleArithmetic.LatestAtOrBefore(schedule, Monday.AddDays(31).AddTicks(-1)));
        Assert.Null(ScheduleArithmetic.LatestAtOrBefore(schedule, Monday.AddTicks(-1)));
    }

    [Fact]
    public void A_one_off_schedule_has_one_occurrence_and_ends_after_one_run()
    {
        var once = new JobSchedule(Monday);

        Assert.Equal([Monday], ScheduleArithmetic.Occurrences(once, 5));
        Assert.Null(ScheduleArithmetic.NextAfter(once, Monday));
        Assert.False(ScheduleArithmetic.IsEnded(once, 0, Monday));
        Assert.True(ScheduleArithmetic.IsEnded(once, 1, Monday));
    }

    [Fact]
    public void An_occurrences_end_counts_runs()
    {
        var schedule = new JobSchedule(Monday, JobRecurrence.Daily, EndOccurrences: 3);

        Assert.False(ScheduleArithmetic.IsEnded(schedule, 2, Monday.AddDays(2)));
        Assert.True(ScheduleArithmetic.IsEnded(schedule, 3, Monday.AddDays(3)));
    }

    [Fact]
    public void Occurrences_near_the_end_of_the_calendar_end_instead_of_overflowing()
    {
        var schedule = new JobSchedule(new DateTimeOffset(9999, 12, 30, 0, 0, 0, TimeSpan.Zero), JobRecurrence.Weekly);

        Assert.Null(ScheduleArithmetic.NextAfter(schedule, schedule.Start));
        Assert.Single(ScheduleArithmetic.Occurrences(schedule, 10));
    }

    /// <summary>
    /// Seeded random schedules (each recurrence, starts at any second of any day over a century, date ends or none):
    /// occurrences strictly increase, never fall before the start or after the end date; the next occurrence after any
    /// instant is the first listed occurrence later than it, and the latest at or before it the last listed one.
    /// </summary>
    [Fact]
    public void Random_schedules_keep_their_order_start_and_end_and_agree_with_their_listing()
    {
        var random = new Random(20261128);
        for (var i = 0; i < 2000; i++)
        {
            var start = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.NextInt64(0, 100L * 365 * 24 * 3600));
            JobRecurrence? recurrence = random.Next(4) switch { 0 => null, 1 => JobRecurrence.Daily, 2 => JobRecurrence.Weekly, _ => JobRecurrence.Monthly };
            DateOnly? end = recurrence is not null && random.Next(2) == 0 ? DateOnly.FromDateTime(start.UtcDateTime).AddDays(random.Next(0, 800)) : null;
            var schedule = new JobSchedule(start, recurrence, end);

            var listed = ScheduleArithmetic.Occurrences(schedule, 40).ToList();
            Assert.NotEmpty(listed);
            Assert.Equal(start, listed[0]);
            Assert.All(listed.Zip(listed.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{schedule}: {pair.First} then {pair.Second}"));
            Assert.All(listed, o => Assert.True(o >= start && (end is null || DateOnly.FromDateTime(o.UtcDateTime) <= end), $"{schedule}: {o}"));
            if (recurrence is JobRecurrence.Monthly)
            {
                Assert.All(listed, o => Assert.Equal(Math.Min(start.Day, DateTime.DaysInMonth(o.Year, o.Month)), o.Day));
            }

            var instant = start.AddSeconds(random.NextInt64(-10L * 24 * 3600, (listed[^1] - start).Ticks / TimeSpan.TicksPerSecond + (10L * 24 * 3600)));
            var complete = listed.Count < 40;
            var expectedNext = listed.Where(o => o > instant).Cast<DateTimeOffset?>().FirstOrDefault();
            if (expectedNext is not null || complete)
            {
                Assert.Equal(expectedNext, ScheduleArithmetic.NextAfter(schedule, instant));
            }

            var expectedFirst = listed.Where(o => o >= instant).Cast<DateTimeOffset?>().FirstOrDefault();
            if (expectedFirst is not null || complete)
            {
                Assert.Equal(expectedFirst, ScheduleArithmetic.FirstAtOrAfter(schedule, instant));
            }

            if (instant <= listed[^1] || complete)
            {
                Assert.Equal(listed.Where(o => o <= instant).Cast<DateTimeOffset?>().LastOrDefault(), ScheduleArithmetic.LatestAtOrBefore(schedule, instant));
            }
        }
    }
}
