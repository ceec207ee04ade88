using Centrum.Edge.Buffering;
using Centrum.Edge.Internal;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Edge.Downstream;

/// <summary>
/// The edge's MQTT endpoint for downstream devices and modules: the gateway's own connection loop
/// (<see cref="MqttConnection"/>) with sessions that keep each message in the store and forward before acknowledging it.
/// </summary>
internal sealed class DownstreamEndpoint(
    DownstreamAuthenticator authenticator, MessageStore store, EdgeMetrics metrics, IOptions<EdgeOptions> options, TimeProvider time, ILogger<DownstreamEndpoint> logger) : IMqttEndpoint
{
    public TimeProvider Time { get; } = time;

    public MqttConnectionLimits Limits { get; } = new(options.Value.ConnectTimeout, options.Value.OutboundQueueCapacity, options.Value.OutboundQueueBytes);

    public ValueTask<ConnectOutcome> ConnectAsync(MqttConnection connection, ConnectPacket connect, CancellationToken cancellationToken)
    {
        var decision = authenticator.Authenticate(connect);
        if (decision.Identity is not { } identity)
        {
            return ValueTask.FromResult(ConnectOutcome.Refused(decision.Code, decision.Reason));
        }

        connection.Admission?.Authenticated();
        Log.DownstreamConnected(logger, identity.ClientId, connection.Remote);
        var session = new DownstreamSession(identity, connection, store, logger);
        return ValueTask.FromResult(ConnectOutcome.Accepted(
            session, sessionPresent: false, IotHubLimits.IdleTimeout(connect.KeepAliveSeconds), decision.Expiry, "SAS token expired"));
    }

    public void ConnectRefused(MqttConnection connection, string clientId, ConnectReturnCode code, string reason) =>
        Log.DownstreamRefused(logger, connection.Remote, clientId, code.ToString(), reason);

    public void ProtocolViolation(MqttConnection connection, string reason) => Log.DownstreamViolation(logger, connection.Remote, reason);

    public void Acknowledged(TimeSpan elapsed) => metrics.Acknowledged(elapsed);

    public void Ended(MqttConnection connection, string reason) => Log.DownstreamEnded(logger, connection.Remote, reason);

    public void Failed(MqttConnection connection, Exception exception) => Log.DownstreamFailed(logger, exception, connection.Remote);

    public void StoppedByClose(MqttConnection connection, Exception exception) =>
        Log.DownstreamStoppedByClose(logger, connection.Remote, exception.GetType().Name);
}
