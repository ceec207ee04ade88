namespace Centrum.Jobs.Scheduling;

/// <summary>IoT Central's <c>JobSchedule.recurrence</c>; a schedule without one runs once.</summary>
public enum JobRecurrence
{
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// IoT Central's <c>JobSchedule</c>: the first run at <see cref="Start"/>, then on every recurrence, until
/// <see cref="EndDate"/> (IoT Central's <c>date</c> end, inclusive) or after <see cref="EndOccurrences"/> runs.
/// </summary>
public sealed record JobSchedule(DateTimeOffset Start, JobRecurrence? Recurrence = null, DateOnly? EndDate = null, int? EndOccurrences = null);

/// <summary>A scheduled job as read (IoT Central's <c>ScheduledJob</c>).</summary>
public sealed record ScheduledJob(
    string Id,
    JobDefinition Definition,
    JobSchedule Schedule,
    bool Enabled,
    bool Completed,
    int Occurrences,
    DateTimeOffset? NextRun,
    string ETag);

public sealed record ScheduledJobPage(IReadOnlyList<ScheduledJob> ScheduledJobs, string? ContinueAfter);

/// <summary>What a caller writes of a scheduled job: the definition each run gets, when it runs, and whether it may run.</summary>
public sealed record ScheduledJobWrite(JobDefinition Definition, JobSchedule Schedule, bool Enabled = true);
