using Microsoft.Extensions.Logging;

namespace Centrum.Gateway.Amqp;

/// <summary>AMQP transport log events: ids 1100–1149 of the gateway's range. Tokens and payloads are never logged.</summary>
internal static partial class AmqpLog
{
    [LoggerMessage(1101, LogLevel.Information, "Refused a put-token on the AMQP connection from {Remote} for {Audience}: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string remote, string audience, string reason);

    [LoggerMessage(1102, LogLevel.Information, "Refused a link to {Address} on the AMQP connection from {Remote}: {Reason}")]
    public static partial void LinkRefused(ILogger logger, string remote, string address, string reason);

    [LoggerMessage(1103, LogLevel.Warning, "Detached the telemetry link of device {DeviceId} of application {ApplicationId}: {Reason}")]
    public static partial void TelemetryDetached(ILogger logger, string applicationId, string deviceId, string reason);

    [LoggerMessage(1104, LogLevel.Debug, "AMQP connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(1105, LogLevel.Warning, "AMQP connection from {Remote} could not be opened ({ExceptionType})")]
    public static partial void OpenFailed(ILogger logger, string remote, string exceptionType);

    [LoggerMessage(1106, LogLevel.Error, "AMQP work for the connection from {Remote} failed unexpectedly")]
    public static partial void Failed(ILogger logger, Exception exception, string remote);
}
