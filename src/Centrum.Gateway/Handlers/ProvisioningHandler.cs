using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Applications;
using Centrum.Gateway.Internal;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Centrum.Provisioning.Registration;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// A DPS session on the device listener (DPS docs "Communicate with DPS using the MQTT protocol"): recognised by its
/// user name, always accepted once the ID scope is known (wrong credentials are answered by the register request with
/// 401), never persisted, and limited to the <c>$dps/registrations/…</c> topics.
/// </summary>
internal sealed class ProvisioningHandler : IMqttSession
{
    private readonly MqttConnection _connection;
    private readonly GatewayServices _services;
    private readonly Application _application;
    private readonly string _registrationId;
    private readonly string? _password;
    private readonly Subscriptions _subscriptions = new();

    private ProvisioningHandler(GatewayServices services, MqttConnection connection, Application application, string registrationId, string? password)
    {
        _services = services;
        _connection = connection;
        _application = application;
        _registrationId = registrationId;
        _password = password;
    }

    public static async Task<ConnectOutcome> ConnectAsync(
        GatewayServices services, MqttConnection connection, ConnectPacket connect, string idScope, string registrationId, CancellationToken cancellationToken)
    {
        var application = await services.Applications.FindByIdScopeAsync(idScope, cancellationToken);
        if (application is null || application.Suspended)
        {
            return ConnectOutcome.Refused(ConnectReturnCode.NotAuthorized, "unknown ID scope");
        }

        if (!string.Equals(connect.ClientId, registrationId, StringComparison.OrdinalIgnoreCase))
        {
            return ConnectOutcome.Refused(ConnectReturnCode.IdentifierRejected, "client id does not match the registration id");
        }

        connection.Admission?.AcceptedConnect();
        // A registration is one request and a few status polls; a provisioning connection gets a short, bounded
        // life however long a keep-alive it asks for (DPS, too, closes connections it has no use for).
        var keepAlive = IotHubLimits.IdleTimeout(connect.KeepAliveSeconds);
        var idle = keepAlive < services.Options.ProvisioningIdleTimeout ? keepAlive : services.Options.ProvisioningIdleTimeout;
        var session = new ProvisioningHandler(services, connection, application, registrationId, connect.Password);
        return ConnectOutcome.Accepted(session, sessionPresent: false, idle, services.Time.GetUtcNow() + services.Options.ProvisioningLifetime, "provisioning connection lifetime reached");
    }

    /// <remarks>The registration is written without a cancellation token: a device that hangs up must not cut it in half.</remarks>
    public async ValueTask<PacketResult> PublishAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        var services = _services;
        var topic = DpsTopics.Classify(publish.Topic);
        RegistrationAnswer answer;
        switch (topic.Kind)
        {
            case DpsTopicKind.Register:
                JsonNode? body;
                try
                {
                    body = publish.Payload.Length == 0 ? null : JsonNode.Parse(publish.Payload);
                }
                catch (JsonException)
                {
                    body = new JsonArray(); // answered as a body that is not an object
                }

                answer = await services.Registrations.RegisterAsync(_application, _registrationId, _password, _connection.ClientCertificate, body, CancellationToken.None);
                break;
            case DpsTopicKind.OperationStatus:
                answer = services.Registrations.OperationStatus(_application, _registrationId, topic.OperationId!);
                break;
            default:
                return PacketResult.Violation("publish to a topic a provisioning client may not use");
        }

        var responseTopic = DpsTopics.Response(answer.Status, topic.RequestId!, answer.RetryAfter);
        var bytes = Encoding.UTF8.GetBytes(answer.Body.ToJsonString());
        if (_subscriptions.Covers(responseTopic))
        {
            await _connection.Outbound.EnqueueAsync(Outbound.Publish(responseTopic, bytes, w => MqttEncoder.Publish(w, responseTopic, bytes, 0, 0, false)), cancellationToken);
        }

        // The Node DPS client publishes at QoS 1: acknowledged once the answer is queued ahead of the PUBACK.
        if (publish.Qos > 0)
        {
            await _connection.Outbound.PubAckAsync(publish.PacketId, cancellationToken);
        }

        return PacketResult.Continue;
    }

    /// <summary>Only the response filter is granted; DPS treats every session as clean, so nothing is stored (DPS docs "Communicate with DPS using the MQTT protocol").</summary>
    public async ValueTask<PacketResult> SubscribeAsync(SubscribePacket subscribe, CancellationToken cancellationToken)
    {
        var granted = new byte[subscribe.Filters.Count];
        var filters = new Dictionary<string, byte>(StringComparer.Ordinal);
        for (var i = 0; i < granted.Length; i++)
        {
            var (filter, qos) = subscribe.Filters[i];
            granted[i] = filter == DpsTopics.ResponsesFilter ? Math.Min(qos, (byte)1) : (byte)0x80;
            if (granted[i] != 0x80)
            {
                // A filter named twice in one SUBSCRIBE replaces the first (MQTT 3.1.1 §3.8.4).
                filters[filter] = qos;
            }
        }

        _subscriptions.Replace(filters);
        await _connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.SubAck(w, subscribe.PacketId, granted)), cancellationToken);
        return PacketResult.Continue;
    }

    public async ValueTask<PacketResult> UnsubscribeAsync(UnsubscribePacket unsubscribe, CancellationToken cancellationToken)
    {
        await _connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.UnsubAck(w, unsubscribe.PacketId)), cancellationToken);
        return PacketResult.Continue;
    }

    /// <summary>The server sends a provisioning client nothing at QoS 1, so there is nothing to acknowledge.</summary>
    public ValueTask<PacketResult> AcknowledgedAsync(ushort packetId, CancellationToken cancellationToken) => ValueTask.FromResult(PacketResult.Continue);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Closing()
    {
    }

    public Task EndAsync(string reason, bool graceful)
    {
        Log.ConnectionEnded(_services.Logger, _connection.Remote, reason);
        return Task.CompletedTask;
    }
}
