namespace Centrum.Storage.Entities;

/// <summary>
/// A scheduled job (IoT Central's <c>ScheduledJob</c>): a job definition and when to start it. Each start is a job
/// whose <see cref="JobEntity.ScheduledJobId"/> names this one; <see cref="NextRunTicks"/> and <see cref="Occurrences"/>
/// move in the same unit of work as that job's creation, so a start happens once.
/// </summary>
public sealed class ScheduledJobEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    public string? GroupId { get; set; }

    /// <summary>The job definition each run gets, JSON written by the jobs area.</summary>
    public required string Definition { get; set; }

    /// <summary>The schedule (start, recurrence, end), JSON written by the jobs area.</summary>
    public required string Schedule { get; set; }

    public string Organizations { get; set; } = "[]";

    /// <summary>The organizations its creator reached (JSON array), or null for the whole application; every run targets within it.</summary>
    public string? Reach { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>No run is left: the end date has passed or every occurrence has run.</summary>
    public bool Completed { get; set; }

    /// <summary>Runs started so far.</summary>
    public int Occurrences { get; set; }

    /// <summary>
    /// When the next run is due, in UTC ticks (SQLite cannot compare a <see cref="DateTimeOffset"/> column, EF Core
    /// SQLite provider limitations), or null when none is.
    /// </summary>
    public long? NextRunTicks { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
