using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Internal;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Sessions;

/// <summary>
/// An IoT Hub device or module session on one connection (IoT Hub docs "Communicate with an IoT hub using the MQTT
/// protocol"): the identity CONNECT authenticated, its subscriptions (stored for CleanSession=0), and the routing of
/// each PUBLISH by topic to the handler of its concern. This is what <see cref="ConnectionRegistry"/> holds and what
/// the rest of the server reaches a connected device through.
/// </summary>
internal sealed class DeviceSession : IMqttSession, IDeviceSession
{
    /// <summary>How long a new connection waits for the one it takes over to finish (its last PUBACKs, its Will).</summary>
    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(5);

    private readonly MqttConnection _connection;
    private readonly bool _cleanSession;

    /// <summary>The CONNECT, kept only when it carries a Will: otherwise its SAS token and names would stay in memory for the connection's life.</summary>
    private readonly ConnectPacket? _will;
    private readonly GatewayServices _services;
    private readonly Subscriptions _subscriptions = new();
    private readonly TelemetryHandler _telemetry;
    private readonly TwinHandler _twins;
    private readonly MethodHandler _methods;
    private readonly CloudToDeviceHandler _cloudToDevice;
    private bool _sessionPresent;
    private bool _started;

    private DeviceSession(GatewayServices services, MqttConnection connection, ConnectPacket connect, DeviceIdentity identity)
    {
        _connection = connection;
        _cleanSession = connect.CleanSession;
        _will = connect.WillTopic is null ? null : connect;
        _services = services;
        Identity = identity;
        var outbound = connection.Outbound;
        _telemetry = new TelemetryHandler(identity, outbound, _services.Telemetry, _services.Metrics, _services.Time);
        _twins = new TwinHandler(identity, _subscriptions, outbound, _services.Twins, _services.Time);
        _methods = new MethodHandler(_subscriptions, outbound, _services.Time);
        _cloudToDevice = new CloudToDeviceHandler(identity, _subscriptions, outbound, _services.CloudToDevice, _services.CloudToDeviceLocks);
    }

    public DeviceIdentity Identity { get; }

    /// <summary>Completes when the connection has ended and cleaned up.</summary>
    public Task Completion => _connection.Completion;

    public void Close(string reason) => _connection.Close(reason);

    public bool IsSubscribed(string topic) => _subscriptions.Covers(topic);

    /// <summary>Calls a direct method on this connection and waits for the device's answer.</summary>
    public Task<DirectMethodResult> InvokeMethodAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        _methods.InvokeAsync(methodName, payload, timeout, cancellationToken);

    public void PushDesired(long version, JsonObject patch)
    {
        if (_twins.PushDesired(version, patch) == DesiredPush.QueueFull)
        {
            Close("outbound queue full: the device does not read");
        }
    }

    public void SignalCloudToDevice() => _cloudToDevice.Signal();

    /// <remarks>
    /// Writes to the metadata store take no cancellation token: a device that hangs up must not cut a transaction in
    /// half, and a SUBACK'd subscription must be stored.
    /// </remarks>
    public static async Task<ConnectOutcome> ConnectAsync(GatewayServices services, MqttConnection connection, ConnectPacket connect, CancellationToken cancellationToken)
    {
        var result = await services.Authenticator.AuthenticateAsync(connect, connection.ClientCertificate, cancellationToken);
        if (result.Identity is not { } identity)
        {
            return ConnectOutcome.Refused(result.Code, result.Reason);
        }

        if (connect.WillTopic is not null
            && IotHubTopics.ClassifyPublish(connect.WillTopic, identity.DeviceId, identity.ModuleId).Kind != DeviceTopicKind.Telemetry)
        {
            return ConnectOutcome.Refused(ConnectReturnCode.NotAuthorized, "will topic is not the device's telemetry topic");
        }

        // Spent only once the credentials are verified: junk CONNECTs must not use up real devices' turns.
        using (var admitted = services.ConnectionRate.AttemptAcquire())
        {
            if (!admitted.IsAcquired)
            {
                return ConnectOutcome.Refused(ConnectReturnCode.ServerUnavailable, "too many new connections");
            }
        }

        connection.Admission?.Authenticated();
        var session = new DeviceSession(services, connection, connect, identity);
        var applicationId = identity.Application.Id;
        try
        {
            // Take over only after authentication, so a bad client cannot kick a good one (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": a second connection with the same client id closes the first).
            if (services.Connections.Register(applicationId, identity.ClientId, session) is { } previous)
            {
                Log.TakenOver(services.Logger, applicationId, identity.DeviceId);
                previous.Close("a new connection took over");
                await previous.Completion.WaitAsync(TakeoverWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (connect.CleanSession)
            {
                await services.Sessions.DeleteAsync(applicationId, identity.ClientId, CancellationToken.None);
            }
            else
            {
                var stored = await services.Sessions.LoadAsync(applicationId, identity.ClientId, cancellationToken);
                session._sessionPresent = stored is not null;
                var filters = stored is null ? new Dictionary<string, byte>(StringComparer.Ordinal) : new Dictionary<string, byte>(stored, StringComparer.Ordinal);
                session._subscriptions.Replace(filters);
                if (stored is null)
                {
                    await services.Sessions.SaveAsync(applicationId, identity.ClientId, filters, CancellationToken.None);
                }
            }
        }
        catch
        {
            // The connection ends without a session to end: it must not stay registered as the device's.
            services.Connections.Remove(applicationId, identity.ClientId, session);
            throw;
        }

        return ConnectOutcome.Accepted(session, session._sessionPresent, IotHubLimits.IdleTimeout(connect.KeepAliveSeconds), identity.CredentialExpiry, "SAS token expired");
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var applicationId = Identity.Application.Id;
        _started = true;
        _services.Metrics.Connected();
        Log.Connected(_services.Logger, applicationId, Identity.DeviceId, _connection.Remote, _cleanSession, _sessionPresent);
        // Not awaited: the device's next packets (its SUBSCRIBEs) need not wait for this commit, so in a connect storm
        // they share the group commit with it. Its turn is taken now, so the device's disconnected record still
        // commits after it; a failure closes the connection as an awaited one did.
        // A module's connection is not its device's: IoT Hub keeps a module's connection state on the module identity,
        // and IoT Central's device connectivity (its connected/disconnected events and times) is the device's own.
        if (Identity.ModuleId is null)
        {
            _connection.Observe(
                _services.Devices.RecordConnectivityAsync(applicationId, Identity.DeviceId, connected: true, Identity.ModelId, CancellationToken.None),
                "connectivity could not be recorded");
        }

        StartCloudToDevice();
        return Task.CompletedTask;
    }

    public ValueTask<PacketResult> PublishAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        var topic = IotHubTopics.ClassifyPublish(publish.Topic, Identity.DeviceId, Identity.ModuleId);
        return topic.Kind switch
        {
            DeviceTopicKind.Telemetry => _telemetry.PublishAsync(publish, topic.Bag, cancellationToken),
            DeviceTopicKind.TwinGet or DeviceTopicKind.TwinPatchReported or DeviceTopicKind.MethodResponse => RequestAsync(publish, topic, cancellationToken),
            _ => ValueTask.FromResult(PacketResult.Violation("publish to a topic this device may not use")),
        };
    }

    public async ValueTask<PacketResult> SubscribeAsync(SubscribePacket subscribe, CancellationToken cancellationToken)
    {
        var codes = new byte[subscribe.Filters.Count];
        var changed = false;
        var subscriptions = _subscriptions.Copy();
        for (var i = 0; i < codes.Length; i++)
        {
            var (filter, qos) = subscribe.Filters[i];
            codes[i] = IotHubTopics.Grant(filter, qos, Identity.DeviceId, Identity.ModuleId);
            if (codes[i] == 0x80)
            {
                Log.SubscriptionRefused(_services.Logger, Identity.Application.Id, Identity.DeviceId, filter);
                continue;
            }

            changed |= !subscriptions.TryGetValue(filter, out var existing) || existing != codes[i];
            subscriptions[filter] = codes[i];
        }

        if (changed && !_cleanSession)
        {
            await _services.Sessions.SaveAsync(Identity.Application.Id, Identity.ClientId, subscriptions, CancellationToken.None);
        }

        _subscriptions.Replace(subscriptions);
        await _connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.SubAck(w, subscribe.PacketId, codes)), cancellationToken);
        StartCloudToDevice();
        _cloudToDevice.Signal();
        return PacketResult.Continue;
    }

    public async ValueTask<PacketResult> UnsubscribeAsync(UnsubscribePacket unsubscribe, CancellationToken cancellationToken)
    {
        var changed = false;
        var subscriptions = _subscriptions.Copy();
        foreach (var filter in unsubscribe.Filters)
        {
            changed |= subscriptions.Remove(filter);
        }

        if (changed && !_cleanSession)
        {
            await _services.Sessions.SaveAsync(Identity.Application.Id, Identity.ClientId, subscriptions, CancellationToken.None);
        }

        _subscriptions.Replace(subscriptions);
        await _connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.UnsubAck(w, unsubscribe.PacketId)), cancellationToken);
        return PacketResult.Continue;
    }

    public ValueTask<PacketResult> AcknowledgedAsync(ushort packetId, CancellationToken cancellationToken) => _cloudToDevice.AcknowledgedAsync(packetId);

    public void Closing()
    {
        _methods.Stop();
        _cloudToDevice.Stop();
    }

    public async Task EndAsync(string reason, bool graceful)
    {
        Closing();
        await _cloudToDevice.StoppedAsync();
        var applicationId = Identity.Application.Id;
        if (_started)
        {
            _services.Metrics.Disconnected();
        }

        Log.Disconnected(_services.Logger, applicationId, Identity.DeviceId, reason);
        if (_services.Connections.Remove(applicationId, Identity.ClientId, this))
        {
            if (!graceful && _will is not null)
            {
                await _telemetry.SubmitWillAsync(_will);
            }

            if (Identity.ModuleId is null)
            {
                await _services.Devices.RecordConnectivityAsync(applicationId, Identity.DeviceId, connected: false, null, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Twin requests and method answers. Published at QoS 1 (Python does), they are acknowledged once handled: their
    /// effect is stored and their answer queued ahead of the PUBACK.
    /// </summary>
    private async ValueTask<PacketResult> RequestAsync(PublishPacket publish, DeviceTopic topic, CancellationToken cancellationToken)
    {
        var result = topic.Kind switch
        {
            DeviceTopicKind.TwinGet => await _twins.GetAsync(topic.RequestId!, cancellationToken),
            DeviceTopicKind.TwinPatchReported => await _twins.PatchReportedAsync(topic.RequestId!, IotHubTopics.VersionParameter(topic.Bag.Span), publish.Payload, cancellationToken),
            _ => _methods.Answered(topic.RequestId!, topic.Status, publish.Payload),
        };

        if (result.CarryOn && publish.Qos > 0)
        {
            await _connection.Outbound.PubAckAsync(publish.PacketId, cancellationToken);
        }

        return result;
    }

    private void StartCloudToDevice()
    {
        if (_cloudToDevice.StartIfListening() is { } pump)
        {
            _connection.Observe(pump, "cloud-to-device delivery failed");
        }
    }
}
