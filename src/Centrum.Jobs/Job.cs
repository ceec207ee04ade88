using System.Text.Json.Nodes;

namespace Centrum.Jobs;

/// <summary>What one entry of a job does (IoT Central's <c>JobData</c> discriminator <c>type</c>).</summary>
public enum JobDataKind
{
    /// <summary><c>property</c>: a writable property, sent to the device as a desired property and complete when the device acknowledges it.</summary>
    Property,

    /// <summary><c>cloudProperty</c>: a cloud property, kept by the platform.</summary>
    CloudProperty,

    /// <summary><c>command</c>: a command, through the command service.</summary>
    Command,

    /// <summary><c>deviceTemplateMigration</c>: assign the devices another template.</summary>
    DeviceTemplateMigration,

    /// <summary><c>deviceManifestMigration</c> (2022-10-31-preview): assign IoT Edge devices another deployment manifest.</summary>
    DeviceManifestMigration,
}

/// <summary>
/// One entry of a job. For <see cref="JobDataKind.Property"/>, <see cref="JobDataKind.CloudProperty"/> and
/// <see cref="JobDataKind.Command"/> (IoT Central's <c>CapabilityJobData</c>), <see cref="Target"/> is the template
/// (DTMI) the capability belongs to and <see cref="Path"/> names it, <c>name</c> or <c>component.name</c>;
/// <see cref="Value"/> is the property's value or the command's request. <see cref="Template"/> is the template a
/// migration assigns, <see cref="Manifest"/> the deployment manifest.
/// </summary>
public sealed record JobData(JobDataKind Kind, string? Target = null, string? Path = null, JsonNode? Value = null, string? Template = null, string? Manifest = null);

/// <summary>How an amount is given: a number of devices or a percentage of them (IoT Central's <c>number</c> | <c>percentage</c>).</summary>
public enum JobAmountKind
{
    Number,
    Percentage,
}

/// <summary>IoT Central's <c>JobBatch</c>: the job runs its targets in consecutive batches of this size.</summary>
public sealed record JobBatch(JobAmountKind Kind, double Value);

/// <summary>
/// IoT Central's <c>JobCancellationThreshold</c>: the job is cancelled once this many of its devices (or this share)
/// have failed, counted over the whole job or, with <see cref="PerBatch"/>, within the running batch.
/// </summary>
public sealed record JobCancellationThreshold(JobAmountKind Kind, double Value, bool PerBatch);

/// <summary>
/// A rollout rate (Centrum's extension, after AWS IoT jobs' exponential rollout): start at most
/// <see cref="DevicesPerMinute"/> devices a minute; with <see cref="IncrementFactor"/>, multiply the rate each time
/// <see cref="SuccessesPerIncrement"/> more devices have completed, up to <see cref="MaximumPerMinute"/>.
/// </summary>
public sealed record JobRollout(int DevicesPerMinute, double? IncrementFactor = null, int? SuccessesPerIncrement = null, int? MaximumPerMinute = null);

/// <summary>
/// Abort criteria (Centrum's extension, after AWS IoT jobs' abort configuration): once at least
/// <see cref="MinimumDevices"/> devices have finished, cancel the job when the share that failed reaches
/// <see cref="FailureRatePercent"/>.
/// </summary>
public sealed record JobAbort(double FailureRatePercent, int MinimumDevices);

/// <summary>
/// What a job is asked to do. It targets either a device group (<see cref="Group"/>) or an explicit list
/// (<see cref="Devices"/>, Centrum's extension). <see cref="ConnectionTimeout"/> is how long a device that is not
/// connected (or has not acknowledged a property) is waited for before it fails; <see cref="QueueIfOffline"/> turns a
/// command to an offline device into an offline command instead.
/// </summary>
public sealed record JobDefinition(
    string? DisplayName,
    string? Description,
    string? Group,
    IReadOnlyList<string>? Devices,
    IReadOnlyList<JobData> Data,
    JobBatch? Batch = null,
    JobCancellationThreshold? CancellationThreshold = null,
    IReadOnlyList<string>? Organizations = null,
    TimeSpan? ConnectionTimeout = null,
    bool QueueIfOffline = false,
    JobRollout? Rollout = null,
    JobAbort? Abort = null);

/// <summary>IoT Central's job status values.</summary>
public enum JobStatus
{
    /// <summary>Accepted, waiting for a running slot of its application or for its targets to be listed.</summary>
    Pending,

    Running,

    /// <summary>Stopped by a caller; resume continues it.</summary>
    Stopped,

    /// <summary>Every target has completed or failed.</summary>
    Complete,

    /// <summary>Ended by its cancellation threshold or abort criteria.</summary>
    Cancelled,

    /// <summary>Could not run at all (its group is gone, its definition can no longer be applied).</summary>
    Failed,
}

/// <summary>How one target of a job stands.</summary>
public enum JobDeviceState
{
    Pending,
    Running,
    Completed,
    Failed,
}

/// <summary>IoT Central's <c>JobProgress</c>; <see cref="Pending"/> counts the targets not yet completed or failed.</summary>
public sealed record JobProgress(int Total, int Pending, int Completed, int Failed);

/// <summary>A job as read: its definition and where it stands.</summary>
public sealed record Job(
    string Id,
    JobDefinition Definition,
    JobStatus Status,
    JobProgress Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? ScheduledJobId = null,
    string? RerunOf = null,
    string? StatusReason = null);

/// <summary>IoT Central's <c>JobDeviceStatus</c>, with the reason a device failed.</summary>
public sealed record JobDeviceStatus(string DeviceId, JobDeviceState State, string? Reason, DateTimeOffset? Started, DateTimeOffset? Ended);

public sealed record JobPage(IReadOnlyList<Job> Jobs, string? ContinueAfter);

public sealed record JobDevicePage(IReadOnlyList<JobDeviceStatus> Devices, string? ContinueAfter);
