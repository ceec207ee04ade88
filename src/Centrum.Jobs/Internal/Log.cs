using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Internal;

/// <summary>Job log events: ids 9000–9499. Values a job writes and requests it sends are the operator's data and never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Information, "Job {JobId} of application {ApplicationId} created ({Kind}, status {Status})")]
    public static partial void Created(ILogger logger, string applicationId, string jobId, JobDataKind kind, JobStatus status);

    [LoggerMessage(9002, LogLevel.Information, "Job {JobId} of application {ApplicationId} stopped")]
    public static partial void Stopped(ILogger logger, string applicationId, string jobId);

    [LoggerMessage(9003, LogLevel.Information, "Job {JobId} of application {ApplicationId} resumed")]
    public static partial void Resumed(ILogger logger, string applicationId, string jobId);

    [LoggerMessage(9004, LogLevel.Information, "Job {JobId} of application {ApplicationId} re-runs job {RerunOf} on its failed devices")]
    public static partial void Rerun(ILogger logger, string applicationId, string jobId, string rerunOf);

    [LoggerMessage(9005, LogLevel.Information, "Job {JobId} of application {ApplicationId} admitted to run")]
    public static partial void Admitted(ILogger logger, string applicationId, string jobId);

    [LoggerMessage(9010, LogLevel.Information, "Job {JobId} of application {ApplicationId}: its {Total} targets are listed")]
    public static partial void TargetsListed(ILogger logger, string applicationId, string jobId, int total);

    [LoggerMessage(9011, LogLevel.Warning, "Job {JobId} of application {ApplicationId} failed: its targets cannot be listed")]
    public static partial void TargetsFailed(ILogger logger, string applicationId, string jobId);

    [LoggerMessage(9012, LogLevel.Information, "Job {JobId} of application {ApplicationId}: batch {Batch} started")]
    public static partial void BatchStarted(ILogger logger, string applicationId, string jobId, int batch);

    [LoggerMessage(9013, LogLevel.Information, "Job {JobId} of application {ApplicationId} complete: {Completed} completed, {Failed} failed")]
    public static partial void JobComplete(ILogger logger, string applicationId, string jobId, int completed, int failed);

    [LoggerMessage(9014, LogLevel.Warning, "Job {JobId} of application {ApplicationId} cancelled by its {Criterion}")]
    public static partial void JobCancelled(ILogger logger, string applicationId, string jobId, string criterion);

    [LoggerMessage(9015, LogLevel.Debug, "Job {JobId} of application {ApplicationId}: device {DeviceId} {State}")]
    public static partial void DeviceFinished(ILogger logger, string applicationId, string jobId, string deviceId, JobDeviceState state);

    [LoggerMessage(9016, LogLevel.Warning, "Job {JobId} of application {ApplicationId}: device {DeviceId} was in flight when the server stopped; {Outcome}")]
    public static partial void DeviceInterrupted(ILogger logger, string applicationId, string jobId, string deviceId, string outcome);

    [LoggerMessage(9017, LogLevel.Error, "Job {JobId} of application {ApplicationId}: its worker failed and will be started again")]
    public static partial void WorkerFailed(ILogger logger, string applicationId, string jobId, Exception exception);

    [LoggerMessage(9018, LogLevel.Error, "The job runner's look at running jobs failed; it looks again at its next tick")]
    public static partial void ScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(9019, LogLevel.Information, "Job {JobId} of application {ApplicationId}: worker ended ({Status})")]
    public static partial void WorkerEnded(ILogger logger, string applicationId, string jobId, JobStatus status);
}
