using Centrum.IotHub.Mqtt;

namespace Centrum.IotHub.Connections;

/// <summary>How a CONNECT was decided (MQTT 3.1.1 §3.2.2.3): a session to run, or a return code and the reason for the log.</summary>
internal sealed record ConnectOutcome(
    IMqttSession? Session, bool SessionPresent, TimeSpan IdleTimeout, DateTimeOffset Expiry, string? ExpiryReason, ConnectReturnCode Code, string? Reason)
{
    public static ConnectOutcome Accepted(IMqttSession session, bool sessionPresent, TimeSpan idleTimeout, DateTimeOffset expiry, string expiryReason) =>
        new(session, sessionPresent, idleTimeout, expiry, expiryReason, ConnectReturnCode.Accepted, null);

    public static ConnectOutcome Refused(ConnectReturnCode code, string reason) =>
        new(null, false, TimeSpan.Zero, DateTimeOffset.MinValue, null, code, reason);
}
