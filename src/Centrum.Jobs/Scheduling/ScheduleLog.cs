using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Scheduling;

/// <summary>Scheduled-job log events: ids 9400–9449 of the jobs area's 9000–9499.</summary>
internal static partial class ScheduleLog
{
    [LoggerMessage(9401, LogLevel.Information, "Scheduled job {ScheduledJobId} of application {ApplicationId} written (enabled {Enabled}, next run {NextRun})")]
    public static partial void Written(ILogger logger, string applicationId, string scheduledJobId, bool enabled, DateTimeOffset? nextRun);

    [LoggerMessage(9402, LogLevel.Information, "Scheduled job {ScheduledJobId} of application {ApplicationId} deleted")]
    public static partial void Deleted(ILogger logger, string applicationId, string scheduledJobId);

    [LoggerMessage(9403, LogLevel.Information, "Scheduled job {ScheduledJobId} of application {ApplicationId} started run {Occurrence} as job {JobId}")]
    public static partial void Started(ILogger logger, string applicationId, string scheduledJobId, int occurrence, string jobId);

    [LoggerMessage(9404, LogLevel.Warning, "Scheduled job {ScheduledJobId} of application {ApplicationId} could not start run {Occurrence} (job {JobId}): {Reason}")]
    public static partial void Refused(ILogger logger, string applicationId, string scheduledJobId, int occurrence, string jobId, string reason);

    [LoggerMessage(9405, LogLevel.Information, "Scheduled job {ScheduledJobId} of application {ApplicationId}: run {Occurrence} was claimed but its job {JobId} was missing; created now")]
    public static partial void Repaired(ILogger logger, string applicationId, string scheduledJobId, int occurrence, string jobId);

    [LoggerMessage(9406, LogLevel.Error, "The job scheduler's pass failed; it tries again at its next wake")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(9407, LogLevel.Information, "Scheduled job {ScheduledJobId} of application {ApplicationId} has ended after {Occurrences} runs")]
    public static partial void Ended(ILogger logger, string applicationId, string scheduledJobId, int occurrences);

    [LoggerMessage(9408, LogLevel.Warning, "The audit entry of job {JobId} of application {ApplicationId}, started by a schedule, could not be written")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string applicationId, string jobId);
}
