using System.Globalization;
using Centrum.Jobs.Scheduling;
using Centrum.Outcomes;

namespace Centrum.Web.Pages.Jobs;

/// <summary>How a scheduled job's runs end (IoT Central's <c>JobScheduleEnd</c>, or none).</summary>
public enum ScheduleEndKind
{
    Never,
    Date,
    Occurrences,
}

/// <summary>
/// A schedule being edited on a page, as the browser's date and time inputs give it (UTC, as IoT Central's scheduled
/// job editor and REST's <c>JobSchedule</c> times are): <see cref="ToSchedule"/> reads it into the jobs area's
/// <see cref="JobSchedule"/>, whose rules (<see cref="ScheduledJobService.CheckSchedule"/>) the area applies on write.
/// </summary>
public sealed class ScheduleDraft
{
    /// <summary>What an HTML <c>datetime-local</c> input gives (HTML Living Standard, "Local date and time state"); seconds are optional.</summary>
    private static readonly string[] StartFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];

    /// <summary>The first run, UTC, as a <c>datetime-local</c> value.</summary>
    public string Start { get; set; } = "";

    public JobRecurrence? Recurrence { get; set; }

    public ScheduleEndKind End { get; set; } = ScheduleEndKind.Never;

    /// <summary>The last day runs may start on (inclusive, UTC), as a <c>date</c> input value.</summary>
    public string EndDate { get; set; } = "";

    public int? Occurrences { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>A draft starting at the next whole hour, running once.</summary>
    public static ScheduleDraft Next(DateTimeOffset now)
    {
        var hour = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour + 1), TimeSpan.Zero);
        return new ScheduleDraft { Start = hour.ToString(StartFormats[0], CultureInfo.InvariantCulture) };
    }

    public static ScheduleDraft From(JobSchedule schedule, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new ScheduleDraft
        {
            Start = schedule.Start.UtcDateTime.ToString(StartFormats[1], CultureInfo.InvariantCulture),
            Recurrence = schedule.Recurrence,
            End = schedule.EndDate is not null ? ScheduleEndKind.Date : schedule.EndOccurrences is not null ? ScheduleEndKind.Occurrences : ScheduleEndKind.Never,
            EndDate = schedule.EndDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            Occurrences = schedule.EndOccurrences,
            Enabled = enabled,
        };
    }

    /// <summary>The schedule entered, or what is missing or unreadable in it.</summary>
    public Outcome<JobSchedule> ToSchedule()
    {
        if (!DateTime.TryParseExact(Start.Trim(), StartFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            return Problem.Invalid("Give the start as a date and time (UTC).");
        }

        DateOnly? endDate = null;
        int? occurrences = null;
        if (Recurrence is not null && End == ScheduleEndKind.Date)
        {
            if (!DateOnly.TryParseExact(EndDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return Problem.Invalid("Give the end as a date (UTC).");
            }

            endDate = date;
        }
        else if (Recurrence is not null && End == ScheduleEndKind.Occurrences)
        {
            if (Occurrences is null)
            {
                return Problem.Invalid("Give the number of runs after which the schedule ends.");
            }

            occurrences = Occurrences;
        }

        // A one-off schedule takes no end (the area refuses one): the end fields are ignored without a recurrence.
        return new JobSchedule(new DateTimeOffset(start, TimeSpan.Zero), Recurrence, endDate, occurrences);
    }

    /// <summary>The schedule as a person reads it: "daily from 2026-12-01 08:00 UTC, 5 runs".</summary>
    public static string Describe(JobSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var start = schedule.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        var how = schedule.Recurrence switch
        {
            JobRecurrence.Daily => "daily from " + start,
            JobRecurrence.Weekly => "weekly from " + start,
            JobRecurrence.Monthly => "monthly from " + start,
            _ => "once at " + start,
        };
        return schedule.EndDate is { } date ? $"{how} until {date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
            : schedule.EndOccurrences is { } runs ? $"{how}, {runs} runs"
            : how;
    }
}
