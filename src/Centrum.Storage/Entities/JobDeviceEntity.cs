namespace Centrum.Storage.Entities;

/// <summary>
/// One target of a job and how it fared. Written when the job's targets are enumerated, moved to running before the
/// device is acted on and to completed or failed after, so a restart never acts twice on a device that finished.
/// </summary>
public sealed class JobDeviceEntity
{
    public required string ApplicationId { get; set; }

    public required string JobId { get; set; }

    public required string DeviceId { get; set; }

    /// <summary>Position among the job's targets, in enumeration order; batches are consecutive runs of ordinals.</summary>
    public int Ordinal { get; set; }

    public int Batch { get; set; }

    /// <summary>pending, running, completed, failed.</summary>
    public required string Status { get; set; }

    /// <summary>Why the device failed (or a note on how it completed), in words for the operator.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset? Started { get; set; }

    public DateTimeOffset? Ended { get; set; }

    /// <summary>What a running device is waited on for (for a property job, the desired version written per property), JSON; null otherwise.</summary>
    public string? Awaiting { get; set; }
}
