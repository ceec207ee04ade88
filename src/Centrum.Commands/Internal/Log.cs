using Microsoft.Extensions.Logging;

namespace Centrum.Commands.Internal;

/// <summary>Command log events: ids 5000–5499. Requests, responses and message bodies are payload and never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Information, "Command {Method} ({ExecutionId}) sent to device {DeviceId} of application {ApplicationId}")]
    public static partial void Sent(ILogger logger, string applicationId, string deviceId, string method, string executionId);

    [LoggerMessage(5002, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} answered command {Method} ({ExecutionId}) with status {ResponseCode} after {ElapsedMilliseconds} ms")]
    public static partial void Answered(ILogger logger, string applicationId, string deviceId, string method, string executionId, int? responseCode, long elapsedMilliseconds);

    [LoggerMessage(5003, LogLevel.Warning, "Device {DeviceId} of application {ApplicationId} did not answer command {Method} ({ExecutionId}) within {ResponseTimeout}")]
    public static partial void TimedOut(ILogger logger, string applicationId, string deviceId, string method, string executionId, TimeSpan responseTimeout);

    [LoggerMessage(5004, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} is not connected; command {Method} ({ExecutionId}) was not delivered")]
    public static partial void NotConnected(ILogger logger, string applicationId, string deviceId, string method, string executionId);

    [LoggerMessage(5005, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} is offline; command {Method} ({ExecutionId}) is queued for it")]
    public static partial void Queued(ILogger logger, string applicationId, string deviceId, string method, string executionId);

    [LoggerMessage(5006, LogLevel.Warning, "Device {DeviceId} of application {ApplicationId} is offline and its queue is full; command {Method} ({ExecutionId}) was refused")]
    public static partial void QueueFull(ILogger logger, string applicationId, string deviceId, string method, string executionId);

    [LoggerMessage(5007, LogLevel.Debug, "Queued cloud-to-device message {MessageId} ({Size} bytes) for device {DeviceId} of application {ApplicationId}")]
    public static partial void MessageQueued(ILogger logger, string applicationId, string deviceId, long messageId, int size);

    [LoggerMessage(5008, LogLevel.Warning, "Refused a cloud-to-device message for device {DeviceId} of application {ApplicationId}: {Reason}")]
    public static partial void MessageRefused(ILogger logger, string applicationId, string deviceId, string reason);
}
