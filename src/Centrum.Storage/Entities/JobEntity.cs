namespace Centrum.Storage.Entities;

/// <summary>
/// A job (IoT Central's <c>Job</c>) and where its execution stands. The definition is kept as the jobs area wrote it;
/// the counters and the status move with the per-device rows in <see cref="JobDeviceEntity"/>, in the same unit of
/// work, so a restart reads a consistent state.
/// </summary>
public sealed class JobEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    /// <summary>The schedule that started this job, or null for a job started by a caller.</summary>
    public string? ScheduledJobId { get; set; }

    /// <summary>The job this one re-runs on its failed devices, or null.</summary>
    public string? RerunOf { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    /// <summary>The device group it targets, or null when it targets an explicit list of devices (in the definition).</summary>
    public string? GroupId { get; set; }

    /// <summary>The definition (data, batches, thresholds, rollout, timeouts, explicit devices), JSON written by the jobs area.</summary>
    public required string Definition { get; set; }

    /// <summary>Organization ids the job belongs to, JSON array (IoT Central allows at most one).</summary>
    public string Organizations { get; set; } = "[]";

    /// <summary>The organizations its creator reached when it was made (JSON array), or null for the whole application.</summary>
    public string? Reach { get; set; }

    /// <summary>pending, running, stopped, complete, cancelled, failed.</summary>
    public required string Status { get; set; }

    /// <summary>Why a job was cancelled or failed, in words for the operator.</summary>
    public string? StatusReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// <see cref="CreatedAt"/> in UTC ticks: jobs are listed newest first, and SQLite cannot order or compare a
    /// <see cref="DateTimeOffset"/> column (EF Core SQLite provider limitations), so the order is kept in a number.
    /// </summary>
    public long CreatedTicks { get; set; }

    public DateTimeOffset? Start { get; set; }

    public DateTimeOffset? End { get; set; }

    /// <summary>Whether every target has been written to the job's device rows; until then <see cref="TargetCursor"/> says where enumeration stands.</summary>
    public bool TargetsReady { get; set; }

    /// <summary>The last device id enumerated from the group, so a restart goes on after it.</summary>
    public string? TargetCursor { get; set; }

    public int Total { get; set; }

    public int Completed { get; set; }

    public int Failed { get; set; }

    /// <summary>The batch being run (0-based).</summary>
    public int CurrentBatch { get; set; }

    /// <summary>Changes with every write, so a stop and the runner never overwrite each other's state unseen.</summary>
    public long Revision { get; set; }
}
