namespace Centrum.Jobs.Scheduling;

/// <summary>
/// When a schedule's runs fall, as pure functions of the schedule and an instant, all in UTC (IoT Central's
/// <c>JobSchedule.start</c> is a date-time, its <c>end.date</c> a date, read as a UTC date). Occurrence <c>k</c> (from 0)
/// is the start plus k days (daily), k weeks (weekly) or k months (monthly, counted from the start each time and clamped
/// to the month's last day, so a start on January 31 falls on February 28 or 29, then March 31). A one-off schedule has
/// occurrence 0 only. A <c>date</c> end keeps the occurrences on or before that date; an <c>occurrences</c> end counts
/// runs, which the caller holds (<see cref="IsEnded"/>).
/// </summary>
public static class ScheduleArithmetic
{
    /// <summary>Occurrence <paramref name="index"/> (from 0), ignoring the end; null past the calendar's last representable instant.</summary>
    public static DateTimeOffset? Occurrence(JobSchedule schedule, long index)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var start = schedule.Start.ToUniversalTime();
        try
        {
            return schedule.Recurrence switch
            {
                null => index == 0 ? start : null,
                JobRecurrence.Daily => start.AddDays(index),
                JobRecurrence.Weekly => start.AddDays(index * 7),
                _ => index > int.MaxValue ? null : start.AddMonths((int)index),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="occurrence"/> lies within the schedule's <c>date</c> end (inclusive: any time that UTC day).</summary>
    public static bool WithinEndDate(JobSchedule schedule, DateTimeOffset occurrence) =>
        schedule.EndDate is not { } end || DateOnly.FromDateTime(occurrence.UtcDateTime) <= end;

    /// <summary>The first occurrence at or after <paramref name="instant"/> within the <c>date</c> end, or null when none is left.</summary>
    public static DateTimeOffset? FirstAtOrAfter(JobSchedule schedule, DateTimeOffset instant) => Search(schedule, instant, inclusive: true);

    /// <summary>The first occurrence strictly after <paramref name="instant"/> within the <c>date</c> end, or null when none is left.</summary>
    public static DateTimeOffset? NextAfter(JobSchedule schedule, DateTimeOffset instant) => Search(schedule, instant, inclusive: false);

    /// <summary>The latest occurrence at or before <paramref name="instant"/> within the <c>date</c> end, or null when none is.</summary>
    public static DateTimeOffset? LatestAtOrBefore(JobSchedule schedule, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (instant < schedule.Start)
        {
            return null;
        }

        var index = Estimate(schedule, instant);
        // The estimate is within one step of the answer; walk to the last occurrence not after the instant.
        while (Occurrence(schedule, index + 1) is { } later && later <= instant)
        {
            index++;
        }

        while (index > 0 && (Occurrence(schedule, index) is not { } at || at > instant))
        {
            index--;
        }

        // The latest within the end date: past the end, step back to the end's last occurrence (a bounded walk of at
        // most a month of days once the estimate is placed at the end date).
        if (schedule.EndDate is { } end && Occurrence(schedule, index) is { } found && !WithinEndDate(schedule, found))
        {
            var endOfDay = new DateTimeOffset(end.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
            return endOfDay < schedule.Start ? null : LatestAtOrBefore(schedule with { EndDate = null }, endOfDay);
        }

        return Occurrence(schedule, index);
    }

    /// <summary>
    /// Whether no run is left: the runs made reach the <c>occurrences</c> end (a one-off schedule runs once), or no
    /// occurrence is left before the <c>date</c> end (<paramref name="next"/> is null).
    /// </summary>
    public static bool IsEnded(JobSchedule schedule, int runs, DateTimeOffset? next)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var allowed = schedule.Recurrence is null ? 1 : schedule.EndOccurrences;
        return next is null || (allowed is { } count && runs >= count);
    }

    /// <summary>The occurrences from the start in order, within the <c>date</c> end and at most <paramref name="count"/> of them.</summary>
    public static IEnumerable<DateTimeOffset> Occurrences(JobSchedule schedule, int count)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        for (var index = 0; index < count; index++)
        {
            if (Occurrence(schedule, index) is not { } at || !WithinEndDate(schedule, at))
            {
                yield break;
            }

            yield return at;
        }
    }

    private static DateTimeOffset? Search(JobSchedule schedule, DateTimeOffset instant, bool inclusive)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var index = instant <= schedule.Start ? 0 : Estimate(schedule, instant);
        // The estimate is at most one step early or late: step back while the previous one still qualifies, then on.
        while (index > 0 && Occurrence(schedule, index - 1) is { } earlier && After(earlier, instant, inclusive))
        {
            index--;
        }

        while (Occurrence(schedule, index) is { } at)
        {
            if (After(at, instant, inclusive))
            {
                return WithinEndDate(schedule, at) ? at : null;
            }

            index++;
        }

        return null;
    }

    private static bool After(DateTimeOffset at, DateTimeOffset instant, bool inclusive) => inclusive ? at >= instant : at > instant;

    /// <summary>The index of an occurrence near <paramref name="instant"/> (at or after the start), within a step of the true one.</summary>
    private static long Estimate(JobSchedule schedule, DateTimeOffset instant)
    {
        var start = schedule.Start.ToUniversalTime();
        var elapsed = instant - start;
        return schedule.Recurrence switch
        {
            null => 0,
            JobRecurrence.Daily => (long)Math.Floor(elapsed.TotalDays),
            JobRecurrence.Weekly => (long)Math.Floor(elapsed.TotalDays / 7),
            _ => Math.Max(0, ((instant.UtcDateTime.Year - start.Year) * 12) + instant.UtcDateTime.Month - start.Month - 1),
        };
    }
}
