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

    [LoggerMessage(3004, LogLevel.Debug, "Rolled {Values} values of application {ApplicationId} into {WidthSeconds} s buckets ({Rows} summary rows, up to sequence {Sequence}) in {Milliseconds:F0} ms")]
    public static partial void Rolled(ILogger logger, string applicationId, long values, long widthSeconds, long rows, long sequence, double milliseconds);

    [LoggerMessage(3005, LogLevel.Error, "A rollup pass of application {ApplicationId} failed; nothing of it was kept and the next pass starts from the same watermark")]
    public static partial void RollFailed(ILogger logger, Exception exception, string applicationId);

    [LoggerMessage(3006, LogLevel.Information, "Caught up the rollups of application {ApplicationId}: {Values} values in {Seconds:F1} s")]
    public static partial void CaughtUp(ILogger logger, string applicationId, long values, double seconds);

    [LoggerMessage(3007, LogLevel.Warning, "Checkpointing the telemetry store of application {ApplicationId} with {WalBytes} bytes of write-ahead log failed; the writer tries again after a second")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string applicationId, long walBytes);
}
