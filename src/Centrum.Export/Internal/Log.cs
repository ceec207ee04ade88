using Microsoft.Extensions.Logging;

namespace Centrum.Export.Internal;

/// <summary>The export area's log events (ids 4000–4099; destinations use 4500–4599). Message bodies and destination secrets are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Export {ExportId} to destination {DestinationId} ({Source}) starts after position {Position}")]
    public static partial void Starting(ILogger logger, string exportId, string destinationId, string source, long position);

    [LoggerMessage(4001, LogLevel.Warning, "Export {ExportId} could not deliver to destination {DestinationId} (attempt {Attempt}); retrying in {Delay}: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string exportId, string destinationId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(4002, LogLevel.Information, "Export {ExportId} delivers to destination {DestinationId} again after {Attempts} failed attempts")]
    public static partial void Recovered(ILogger logger, string exportId, string destinationId, int attempts);

    [LoggerMessage(4003, LogLevel.Error, "Export {ExportId} to destination {DestinationId} failed unexpectedly; retrying in {Delay}")]
    public static partial void PipelineFailed(ILogger logger, Exception exception, string exportId, string destinationId, TimeSpan delay);

    [LoggerMessage(4004, LogLevel.Warning, "Export {ExportId}: retention deleted {Count} messages before they were delivered to destination {DestinationId}")]
    public static partial void RetentionGap(ILogger logger, string exportId, string destinationId, long count);

    [LoggerMessage(4005, LogLevel.Warning, "Export {ExportId}: the transform for destination {DestinationId} failed on the message at position {Position}; it is skipped: {Reason}")]
    public static partial void TransformFailed(ILogger logger, string exportId, string destinationId, long position, string reason);

    [LoggerMessage(4009, LogLevel.Warning, "Export {ExportId}: the transform for destination {DestinationId} cannot run, so the destination waits until the export is saved again: {Reason}")]
    public static partial void TransformInvalid(ILogger logger, string exportId, string destinationId, string reason);

    [LoggerMessage(4006, LogLevel.Warning, "Export {ExportId} to destination {DestinationId} is {Backlog} records behind (oldest from {Age} ago)")]
    public static partial void Backlog(ILogger logger, string exportId, string destinationId, long backlog, TimeSpan age);

    [LoggerMessage(4007, LogLevel.Error, "Export {ExportId} to destination {DestinationId} stopped")]
    public static partial void PipelineStopped(ILogger logger, Exception exception, string exportId, string destinationId);

    [LoggerMessage(4008, LogLevel.Error, "Could not start the exports of application {ApplicationId}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string applicationId);
}
