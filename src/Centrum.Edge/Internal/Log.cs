using Microsoft.Extensions.Logging;

namespace Centrum.Edge.Internal;

/// <summary>The edge runtime's log events: ids 20000–20999 (docs/operations.md, "Event ids").</summary>
internal static partial class Log
{
    [LoggerMessage(20000, LogLevel.Information, "The edge's message store opened holding {Count} messages ({Bytes} bytes) from an earlier run")]
    public static partial void StoreOpened(ILogger logger, long count, long bytes);

    [LoggerMessage(20001, LogLevel.Error, "The edge's message store could not commit {Count} writes; their senders were told and nothing of them was kept")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(20002, LogLevel.Warning, "A message from {Source} for {Endpoint} was refused: the store holds {Bytes} of its {MaxBytes} bytes")]
    public static partial void Refused(ILogger logger, string endpoint, string source, long bytes, long maxBytes);

    [LoggerMessage(20003, LogLevel.Warning, "{Count} messages waited longer than the time to live ({Seconds} s) and were dropped")]
    public static partial void Expired(ILogger logger, long count, double seconds);

    [LoggerMessage(20100, LogLevel.Information, "Downstream {ClientId} connected from {Remote}")]
    public static partial void DownstreamConnected(ILogger logger, string clientId, string remote);

    [LoggerMessage(20101, LogLevel.Information, "Refused a downstream CONNECT from {Remote} for client {ClientId}: {Code} ({Reason})")]
    public static partial void DownstreamRefused(ILogger logger, string remote, string clientId, string code, string reason);

    [LoggerMessage(20102, LogLevel.Warning, "Closing the downstream connection from {Remote}: {Reason}")]
    public static partial void DownstreamViolation(ILogger logger, string remote, string reason);

    [LoggerMessage(20103, LogLevel.Debug, "Downstream connection {Remote} ended: {Reason}")]
    public static partial void DownstreamEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(20104, LogLevel.Error, "Downstream connection from {Remote} failed unexpectedly")]
    public static partial void DownstreamFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(20105, LogLevel.Debug, "Work on the downstream connection from {Remote} stopped by its close ({ExceptionType})")]
    public static partial void DownstreamStoppedByClose(ILogger logger, string remote, string exceptionType);

    [LoggerMessage(20200, LogLevel.Information, "Connected upstream on behalf of {ClientId}")]
    public static partial void UpstreamConnected(ILogger logger, string clientId);

    [LoggerMessage(20201, LogLevel.Warning, "Forwarding {Count} messages upstream failed; they stay in the store and go again in {Seconds} s: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, int count, double seconds, string reason);

    [LoggerMessage(20202, LogLevel.Warning, "The cloud refused {ClientId} through this edge; its stored messages are dropped: {Reason}")]
    public static partial void SenderRefused(ILogger logger, string clientId, string reason);

    [LoggerMessage(20203, LogLevel.Information, "Read the device scope: {Count} identities")]
    public static partial void ScopeRead(ILogger logger, int count);

    [LoggerMessage(20204, LogLevel.Warning, "Reading the device scope failed; trying again in {Seconds} s: {Reason}")]
    public static partial void ScopeFailed(ILogger logger, double seconds, string reason);

    [LoggerMessage(20205, LogLevel.Information, "Serving the device scope cached by an earlier run ({Count} identities) until the cloud answers")]
    public static partial void ScopeCached(ILogger logger, int count);
}
