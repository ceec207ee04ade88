using Centrum.IotHub.Mqtt;

namespace Centrum.IotHub.Connections;

/// <summary>
/// What an <see cref="MqttConnection"/> needs from the endpoint that accepted it: its clock and bounds, the session a
/// CONNECT opens, and where the connection's outcomes are logged and counted. The cloud gateway and the edge runtime
/// each implement it, so both run the same connection loop with their own sessions, log events and meters.
/// </summary>
internal interface IMqttEndpoint
{
    TimeProvider Time { get; }

    MqttConnectionLimits Limits { get; }

    /// <summary>Opens the session an MQTT 3.1.1 CONNECT asks for, or refuses it; the connection sends the CONNACK.</summary>
    ValueTask<ConnectOutcome> ConnectAsync(MqttConnection connection, ConnectPacket connect, CancellationToken cancellationToken);

    /// <summary>A CONNECT was refused with <paramref name="code"/>.</summary>
    void ConnectRefused(MqttConnection connection, string clientId, ConnectReturnCode code, string reason);

    /// <summary>The peer broke the protocol (or a limit); the connection closes.</summary>
    void ProtocolViolation(MqttConnection connection, string reason);

    /// <summary>A PUBACK left for a message that took <paramref name="elapsed"/> from its PUBLISH to its durable commit.</summary>
    void Acknowledged(TimeSpan elapsed);

    /// <summary>A connection that never opened a session ended (a session reports its own end).</summary>
    void Ended(MqttConnection connection, string reason);

    /// <summary>Work of the connection failed unexpectedly: an error of the endpoint, not of the peer.</summary>
    void Failed(MqttConnection connection, Exception exception);

    /// <summary>Work of the connection stopped because the connection was closing (routine).</summary>
    void StoppedByClose(MqttConnection connection, Exception exception);
}
