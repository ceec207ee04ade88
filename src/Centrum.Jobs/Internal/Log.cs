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
}
