using Microsoft.Extensions.Logging;

namespace Centrum.Telemetry.Internal;

/// <summary>Telemetry log events: ids 3000–3999.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Error, "Committing a batch of {Count} messages for application {ApplicationId} failed; none was acknowledged")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string applicationId, int count);

    [LoggerMessage(3002, LogLevel.Information, "Opened telemetry store of application {ApplicationId} at sequence {Sequence}")]
    public static partial void StoreOpened(ILogger logger, string applicationId, long sequence);

    [LoggerMessage(3003, LogLevel.Warning, "Write queue of application {ApplicationId} is full; dropped a QoS 0 message")]
    public static partial void Dropped(ILogger logger, string applicationId);
}
