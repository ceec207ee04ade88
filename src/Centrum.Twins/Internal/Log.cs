using Microsoft.Extensions.Logging;

namespace Centrum.Twins.Internal;

/// <summary>Twin log events: ids 2500–2999. Property values are payload and never logged; names and sizes are.</summary>
internal static partial class Log
{
    [LoggerMessage(2501, LogLevel.Warning, "Refused the {Document} properties update of device {DeviceId} (module {ModuleId}) in application {ApplicationId}: {Reason}")]
    public static partial void UpdateRefused(ILogger logger, string applicationId, string deviceId, string? moduleId, string document, string reason);

    [LoggerMessage(2502, LogLevel.Debug, "Device {DeviceId} (module {ModuleId}) of application {ApplicationId} reported properties: version {Version}, {Size} bytes")]
    public static partial void ReportedUpdated(ILogger logger, string applicationId, string deviceId, string? moduleId, long version, int size);

    [LoggerMessage(2503, LogLevel.Information, "Desired properties of device {DeviceId} (module {ModuleId}) in application {ApplicationId} changed: version {Version}, {Size} bytes")]
    public static partial void DesiredUpdated(ILogger logger, string applicationId, string deviceId, string? moduleId, long version, int size);

    [LoggerMessage(2504, LogLevel.Debug, "Refused the {Document} properties update of device {DeviceId} in application {ApplicationId}: version {Current} is not the expected {Expected}")]
    public static partial void VersionMismatch(ILogger logger, string applicationId, string deviceId, string document, long current, long? expected);

    [LoggerMessage(2505, LogLevel.Information, "Cloud properties of device {DeviceId} in application {ApplicationId} changed")]
    public static partial void CloudUpdated(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(2506, LogLevel.Information, "Deployment manifest {ManifestId} of application {ApplicationId} written")]
    public static partial void ManifestWritten(ILogger logger, string applicationId, string manifestId);

    [LoggerMessage(2507, LogLevel.Information, "Deployment manifest {ManifestId} of application {ApplicationId} deleted")]
    public static partial void ManifestDeleted(ILogger logger, string applicationId, string manifestId);

    [LoggerMessage(2508, LogLevel.Information, "A deployment manifest was applied to IoT Edge device {DeviceId} of application {ApplicationId}: {Modules} module twins written, {Waiting} modules wait for their identity")]
    public static partial void ManifestApplied(ILogger logger, string applicationId, string deviceId, int modules, int waiting);
}
