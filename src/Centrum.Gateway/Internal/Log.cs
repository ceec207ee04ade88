using Microsoft.Extensions.Logging;

namespace Centrum.Gateway.Internal;

/// <summary>Gateway log events: ids 1000–1999. Passwords, tokens and payloads are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} connected from {Remote} (clean session {CleanSession}, session present {SessionPresent})")]
    public static partial void Connected(ILogger logger, string applicationId, string deviceId, string remote, bool cleanSession, bool sessionPresent);

    [LoggerMessage(1002, LogLevel.Information, "Refused CONNECT from {Remote} for client {ClientId}: {Code} ({Reason})")]
    public static partial void Refused(ILogger logger, string remote, string clientId, string code, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} disconnected: {Reason}")]
    public static partial void Disconnected(ILogger logger, string applicationId, string deviceId, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Closing connection from {Remote}: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string remote, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} connected again; closing its previous connection")]
    public static partial void TakenOver(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(1006, LogLevel.Debug, "Connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(1007, LogLevel.Error, "Connection from {Remote} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(1008, LogLevel.Warning, "Device {DeviceId} of application {ApplicationId} refused subscription to {Filter}")]
    public static partial void SubscriptionRefused(ILogger logger, string applicationId, string deviceId, string filter);

    [LoggerMessage(1009, LogLevel.Debug, "Closed connection from {Remote} at accept: {Reason}")]
    public static partial void AdmissionRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(1010, LogLevel.Debug, "Work on the connection from {Remote} stopped by its close ({ExceptionType})")]
    public static partial void HandlerStoppedByClose(ILogger logger, string remote, string exceptionType);

    [LoggerMessage(1050, LogLevel.Information, "Refused an HTTPS device request from {Remote} for device {DeviceId}: {Reason}")]
    public static partial void HttpsRefused(ILogger logger, string remote, string deviceId, string reason);

    [LoggerMessage(1051, LogLevel.Debug, "Device {DeviceId} of application {ApplicationId} {Outcome} cloud-to-device message {MessageId} over HTTPS")]
    public static partial void CloudToDeviceSettled(ILogger logger, string applicationId, string deviceId, long messageId, string outcome);
}
