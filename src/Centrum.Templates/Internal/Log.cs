using Microsoft.Extensions.Logging;

namespace Centrum.Templates.Internal;

/// <summary>Device template log events: ids 8000–8999. Capability models are not logged, only their ids and the problems found.</summary>
internal static partial class Log
{
    [LoggerMessage(8001, LogLevel.Information, "Device template {TemplateId} of application {ApplicationId} saved")]
    public static partial void Saved(ILogger logger, string applicationId, string templateId);

    [LoggerMessage(8002, LogLevel.Warning, "Device template {TemplateId} of application {ApplicationId} refused ({Outcome}): {Reason}")]
    public static partial void Refused(ILogger logger, string applicationId, string templateId, string outcome, string reason);

    [LoggerMessage(8003, LogLevel.Information, "Device template {TemplateId} of application {ApplicationId} deleted")]
    public static partial void Deleted(ILogger logger, string applicationId, string templateId);

    [LoggerMessage(8004, LogLevel.Debug, "Device template {TemplateId} of application {ApplicationId} not saved: {Outcome}")]
    public static partial void NotSaved(ILogger logger, string applicationId, string templateId, string outcome);
}
