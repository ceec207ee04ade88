using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Internal;
using Centrum.Queues;
using Centrum.Gateway.IotHub;
using Centrum.Gateway.Mqtt;
using Centrum.Gateway.Transport;
using Centrum.Telemetry;

namespace Centrum.Gateway;

/// <summary>
/// One device connection, over TLS or a WebSocket: a read loop that decodes and handles packets in order, and a write
/// loop that sends what the read loop queued, holding each PUBACK until its message is durably stored. PUBACKs thus
/// leave in the order their PUBLISHes came (MQTT 3.1.1 §4.6) while many messages of one device are in flight.
/// </summary>
internal sealed partial class MqttConnection
{
    /// <summary>Before CONNECT nothing larger than this is read: a CONNECT with a long SAS token is a few hundred bytes.</summary>
    private const int MaxConnectPacketSize = 16 * 1024;

    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(20);

    /// <summary>
    /// Longest the keep-alive clock stops for one packet being handled: above every wait the server imposes on a
    /// packet (a full telemetry queue, 10 s by default; a takeover, 5 s), far below the longest keep-alive.
    /// </summary>
    private static readonly TimeSpan MaxHandlingPause = TimeSpan.FromSeconds(60);

    private readonly IDuplexPipe _transport;
    private readonly string _remote;
    private readonly GatewayServices _services;
    private readonly Channel<Outbound> _outbound;
    private readonly ByteBudget _outboundBytes;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _subscriptionsLock = new();
    private Dictionary<string, byte> _subscriptions = new(StringComparer.Ordinal);
    private ConnectPacket? _connect;
    private ITimer? _expiryTimer;
    private ITimer? _idleTimer;
    private TimeSpan _idleTimeout;
    private long _lastPacket;
    private long _handlingSince;
    private string? _closeReason;
    private bool _graceful;

    private readonly X509Certificate2? _clientCertificate;
    private readonly ConnectionAdmission.AdmissionTicket? _admission;

    public MqttConnection(
        IDuplexPipe transport, string remote, GatewayServices services, X509Certificate2? clientCertificate = null, ConnectionAdmission.AdmissionTicket? admission = null)
    {
        _clientCertificate = clientCertificate;
        _admission = admission;
        _transport = transport;
        _remote = remote;
        _services = services;
        _outboundBytes = new ByteBudget(services.Options.OutboundQueueBytes);
        _outbound = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(services.Options.OutboundQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public DeviceIdentity? Identity { get; private set; }

    /// <summary>Completes when the connection has ended and cleaned up.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Ends the connection; safe from any thread, first reason wins.</summary>
    /// <remarks>
    /// Stops reading at once and unblocks a flush waiting on a peer that does not read. It never cancels a write in
    /// progress: cancelling a write under TLS can cut a record in half and corrupt the stream.
    /// </remarks>
    public void Close(string reason)
    {
        SetReason(reason);
        try
        {
            _closing.Cancel();
            _transport.Output.CancelPendingFlush();
            // A command waiting for this device is answered "not online" now, not at the end of its timeout.
            FailPendingMethods();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void SetReason(string reason) => Interlocked.CompareExchange(ref _closeReason, reason, null);

    public async Task RunAsync(CancellationToken connectionClosed)
    {
        using var registration = connectionClosed.Register(static s => ((MqttConnection)s!).Close("transport closed"), this);
        var writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        StartIdleTimer(_services.Options.ConnectTimeout);
        try
        {
            await ReadLoopAsync(_closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ObjectDisposedException)
        {
            Close("transport error: " + ex.Message);
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_services.Logger, ex, _remote);
            Close("internal error");
        }
        finally
        {
            await EndAsync(writer);
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    // Anything but CONNECT as the first byte is garbage: drop it now rather than wait for its "length".
                    if (_connect is null && !buffer.IsEmpty && buffer.FirstSpan[0] != 0x10)
                    {
                        Violation("first packet was not CONNECT");
                        return;
                    }

                    var limit = _connect is null ? MaxConnectPacketSize : IotHubLimits.MaxPacketSize;
                    var status = MqttDecoder.TryRead(ref buffer, limit, out var packet);
                    if (status == MqttDecodeStatus.Incomplete)
                    {
                        break;
                    }

                    if (status != MqttDecodeStatus.Packet)
                    {
                        Violation(status switch
                        {
                            MqttDecodeStatus.TooLarge => "packet too large",
                            MqttDecodeStatus.Unsupported => "QoS 2 is not supported",
                            _ => "malformed packet",
                        });
                        return;
                    }

                    // Every control packet moves the keep-alive deadline (MQTT 3.1.1 §3.1.2.10). The clock stops
                    // while a packet is handled and restarts after, so time the server itself spends (a full store
                    // delaying a QoS 1 PUBLISH) is not charged to the device.
                    Volatile.Write(ref _handlingSince, _services.Time.GetTimestamp());
                    var carryOn = await HandleAsync(packet!, cancellationToken);
                    Volatile.Write(ref _lastPacket, _services.Time.GetTimestamp());
                    Volatile.Write(ref _handlingSince, 0);
                    if (!carryOn)
                    {
                        return;
                    }
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                Close("peer closed the connection");
                return;
            }
        }
    }

    /// <remarks>
    /// Writes to the metadata store take no cancellation token: a device that hangs up must not cut a transaction in
    /// half, and a SUBACK'd subscription must be stored.
    /// </remarks>
    /// <returns>false when the connection must end.</returns>
    private async ValueTask<bool> HandleAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        if (_connect is null)
        {
            if (packet is ConnectPacket connect)
            {
                return await ConnectAsync(connect, cancellationToken);
            }

            Violation("first packet was not CONNECT");
            return false;
        }

        switch (packet)
        {
            case PublishPacket publish:
                return await PublishAsync(publish, cancellationToken);
            case SubscribePacket subscribe:
                return await SubscribeAsync(subscribe, cancellationToken);
            case UnsubscribePacket unsubscribe:
                return await UnsubscribeAsync(unsubscribe, cancellationToken);
            case PingReqPacket:
                await _outbound.Writer.WriteAsync(Outbound.PingResp, cancellationToken);
                return true;
            case PubAckPacket ack:
                await CloudToDeviceAcknowledgedAsync(ack.PacketId, cancellationToken);
                return true;
            case DisconnectPacket:
                _graceful = true;
                Close("device disconnected");
                return false;
            default:
                Violation("second CONNECT");
                return false;
        }
    }

    private async ValueTask<bool> ConnectAsync(ConnectPacket connect, CancellationToken cancellationToken)
    {
        if (connect.ProtocolName != "MQTT" || connect.ProtocolLevel != 4)
        {
            await RefuseAsync(connect, ConnectReturnCode.UnacceptableProtocolVersion, "only MQTT 3.1.1 is supported", cancellationToken);
            return false;
        }

        if (DpsTopics.ParseUserName(connect.UserName) is { } dps)
        {
            return await ConnectProvisioningAsync(connect, dps.IdScope, dps.RegistrationId, cancellationToken);
        }

        var result = await _services.Authenticator.AuthenticateAsync(connect, _clientCertificate, cancellationToken);
        if (result.Identity is not { } identity)
        {
            await RefuseAsync(connect, result.Code, result.Reason, cancellationToken);
            return false;
        }

        if (connect.WillTopic is not null
            && IotHubTopics.ClassifyPublish(connect.WillTopic, identity.DeviceId, identity.ModuleId).Kind != DeviceTopicKind.Telemetry)
        {
            await RefuseAsync(connect, ConnectReturnCode.NotAuthorized, "will topic is not the device's telemetry topic", cancellationToken);
            return false;
        }

        // Spent only once the credentials are verified: junk CONNECTs must not use up real devices' turns.
        using (var admitted = _services.ConnectionRate.AttemptAcquire())
        {
            if (!admitted.IsAcquired)
            {
                await RefuseAsync(connect, ConnectReturnCode.ServerUnavailable, "too many new connections", cancellationToken);
                return false;
            }
        }

        _admission?.Authenticated();
        var applicationId = identity.Application.Id;
        // Take over only after authentication, so a bad client cannot kick a good one (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": a second connection with the same client id closes the first).
        if (_services.Connections.Register(applicationId, identity.ClientId, this) is { } previous)
        {
            Log.TakenOver(_services.Logger, applicationId, identity.DeviceId);
            previous.Close("a new connection took over");
            await previous.Completion.WaitAsync(TakeoverWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Identity = identity;
        _connect = connect;
        bool sessionPresent;
        if (connect.CleanSession)
        {
            await _services.Sessions.DeleteAsync(applicationId, identity.ClientId, CancellationToken.None);
            sessionPresent = false;
        }
        else
        {
            var stored = await _services.Sessions.LoadAsync(applicationId, identity.ClientId, cancellationToken);
            sessionPresent = stored is not null;
            SetSubscriptions(stored is null ? new(StringComparer.Ordinal) : new(stored, StringComparer.Ordinal));
            if (stored is null)
            {
                await _services.Sessions.SaveAsync(applicationId, identity.ClientId, _subscriptions, CancellationToken.None);
            }
        }

        SetIdleTimeout(IotHubLimits.IdleTimeout(connect.KeepAliveSeconds));
        ScheduleExpiry(identity.CredentialExpiry, "SAS token expired");
        await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.ConnAck(w, sessionPresent, ConnectReturnCode.Accepted)), cancellationToken);
        _services.Metrics.Connected();
        Log.Connected(_services.Logger, applicationId, identity.DeviceId, _remote, connect.CleanSession, sessionPresent);
        await _services.Devices.RecordConnectivityAsync(applicationId, identity.DeviceId, connected: true, identity.ModelId, CancellationToken.None);
        StartCloudToDevice();
        return true;
    }

    private async Task RefuseAsync(ConnectPacket connect, ConnectReturnCode code, string reason, CancellationToken cancellationToken)
    {
        Log.Refused(_services.Logger, _remote, connect.ClientId, code.ToString(), reason);
        _services.Metrics.Refused(code.ToString());
        await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.ConnAck(w, false, code)), cancellationToken);
        SetReason("refused: " + reason);
    }

    private async ValueTask<bool> PublishAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        if (IsProvisioning)
        {
            return await ProvisioningPublishAsync(publish, cancellationToken) && await AcknowledgeRequestAsync(publish, cancellationToken);
        }

        var identity = Identity!;
        var topic = IotHubTopics.ClassifyPublish(publish.Topic, identity.DeviceId, identity.ModuleId);
        switch (topic.Kind)
        {
            case DeviceTopicKind.Telemetry:
                return await TelemetryAsync(publish, topic.Bag, cancellationToken);
            case DeviceTopicKind.TwinGet:
                await TwinGetAsync(topic.RequestId!, cancellationToken);
                return await AcknowledgeRequestAsync(publish, cancellationToken);
            case DeviceTopicKind.TwinPatchReported:
                await TwinPatchAsync(topic.RequestId!, IotHubTopics.VersionParameter(topic.Bag), publish.Payload, cancellationToken);
                return await AcknowledgeRequestAsync(publish, cancellationToken);
            case DeviceTopicKind.MethodResponse:
                MethodResponse(topic.RequestId!, topic.Status, publish.Payload);
                return await AcknowledgeRequestAsync(publish, cancellationToken);
            default:
                Violation("publish to a topic this device may not use");
                return false;
        }
    }

    /// <summary>
    /// Requests (twin, method answers, DPS) published at QoS 1 (Python, and the Node DPS client) are acknowledged once
    /// handled: their effect is already stored and their answer queued ahead of the PUBACK.
    /// </summary>
    private async ValueTask<bool> AcknowledgeRequestAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        if (publish.Qos > 0)
        {
            var packetId = publish.PacketId;
            await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.PubAck(w, packetId)), cancellationToken);
        }

        return true;
    }

    private async ValueTask<bool> TelemetryAsync(PublishPacket publish, string bagText, CancellationToken cancellationToken)
    {
        var received = Stopwatch.GetTimestamp();
        var identity = Identity!;
        var bag = PropertyBag.Parse(bagText);
        if (publish.Payload.Length + bag.Size > IotHubLimits.MaxTelemetrySize)
        {
            Violation("message larger than 256 KB");
            return false;
        }

        var messageId = bag.Get("$.mid");
        if (messageId?.Length > IotHubLimits.MaxMessageIdLength)
        {
            Violation("message id longer than 128 characters");
            return false;
        }

        if (publish.Retain)
        {
            bag.Application.Add(new("mqtt-retain", "true"));
        }

        _services.Metrics.Received();
        var message = new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            ModuleId = identity.ModuleId,
            Component = bag.Get("$.sub"),
            MessageId = messageId,
            CorrelationId = bag.Get("$.cid"),
            ContentType = bag.Get("$.ct"),
            ContentEncoding = bag.Get("$.ce"),
            CreationTime = CreationTime(bag),
            Properties = bag.Application,
            Body = publish.Payload,
            EnqueuedTime = _services.Time.GetUtcNow(),
        };

        Task<StoreResult>? stored;
        try
        {
            stored = await _services.Telemetry.SubmitAsync(message, waitForRoom: publish.Qos > 0, cancellationToken);
        }
        catch (TelemetryStoreException ex)
        {
            Close(ex.Message);
            return false;
        }

        if (publish.Qos > 0 && stored is not null)
        {
            await _outbound.Writer.WriteAsync(Outbound.PubAck(publish.PacketId, stored, received), cancellationToken);
        }

        return true;
    }

    private async ValueTask<bool> SubscribeAsync(SubscribePacket subscribe, CancellationToken cancellationToken)
    {
        if (IsProvisioning)
        {
            // DPS treats every session as clean: nothing is stored (DPS docs "Communicate with DPS using the MQTT protocol").
            var granted = subscribe.Filters.Select(f => f.Filter == DpsTopics.ResponsesFilter ? Math.Min(f.Qos, (byte)1) : (byte)0x80).ToArray();
            SetSubscriptions(subscribe.Filters.Where((_, i) => granted[i] != 0x80).ToDictionary(f => f.Filter, f => f.Qos, StringComparer.Ordinal));
            await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.SubAck(w, subscribe.PacketId, granted)), cancellationToken);
            return true;
        }

        var identity = Identity!;
        var codes = new byte[subscribe.Filters.Count];
        var changed = false;
        var subscriptions = new Dictionary<string, byte>(_subscriptions, StringComparer.Ordinal);
        for (var i = 0; i < codes.Length; i++)
        {
            var (filter, qos) = subscribe.Filters[i];
            codes[i] = IotHubTopics.Grant(filter, qos, identity.DeviceId, identity.ModuleId);
            if (codes[i] == 0x80)
            {
                Log.SubscriptionRefused(_services.Logger, identity.Application.Id, identity.DeviceId, filter);
                continue;
            }

            changed |= !subscriptions.TryGetValue(filter, out var existing) || existing != codes[i];
            subscriptions[filter] = codes[i];
        }

        if (changed && !_connect!.CleanSession)
        {
            await _services.Sessions.SaveAsync(identity.Application.Id, identity.ClientId, subscriptions, CancellationToken.None);
        }

        SetSubscriptions(subscriptions);

        await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.SubAck(w, subscribe.PacketId, codes)), cancellationToken);
        SignalCloudToDevice();
        return true;
    }

    private async ValueTask<bool> UnsubscribeAsync(UnsubscribePacket unsubscribe, CancellationToken cancellationToken)
    {
        if (IsProvisioning)
        {
            await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.UnsubAck(w, unsubscribe.PacketId)), cancellationToken);
            return true;
        }

        var identity = Identity!;
        var changed = false;
        var subscriptions = new Dictionary<string, byte>(_subscriptions, StringComparer.Ordinal);
        foreach (var filter in unsubscribe.Filters)
        {
            changed |= subscriptions.Remove(filter);
        }

        if (changed && !_connect!.CleanSession)
        {
            await _services.Sessions.SaveAsync(identity.Application.Id, identity.ClientId, subscriptions, CancellationToken.None);
        }

        SetSubscriptions(subscriptions);

        await _outbound.Writer.WriteAsync(Outbound.Frame(w => MqttEncoder.UnsubAck(w, unsubscribe.PacketId)), cancellationToken);
        return true;
    }

    /// <summary>Whether the device's session holds a filter covering <paramref name="topic"/>.</summary>
    private void SetSubscriptions(Dictionary<string, byte> subscriptions)
    {
        lock (_subscriptionsLock)
        {
            _subscriptions = subscriptions;
        }
    }

    public bool IsSubscribed(string topic)
    {
        lock (_subscriptionsLock)
        {
            return _subscriptions.Keys.Any(f => IotHubTopics.Matches(f, topic));
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Commit is { } commit)
                    {
                        if (!commit.IsCompleted)
                        {
                            // Send what is ready before waiting for the next commit.
                            if ((await output.FlushAsync()).IsCanceled)
                            {
                                return;
                            }

                            await ((Task)commit).WaitAsync(_closing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                            if (_closing.IsCancellationRequested)
                            {
                                return;
                            }
                        }

                        if (!commit.IsCompletedSuccessfully)
                        {
                            Close("the message could not be stored");
                            return;
                        }

                        MqttEncoder.PubAck(output, item.PacketId);
                        _services.Metrics.Acknowledged(Stopwatch.GetElapsedTime(item.ReceivedAt));
                    }
                    else if (item.Encode is { } encode)
                    {
                        encode(output);
                        if (item.Size > 0)
                        {
                            _outboundBytes.Return(item.Size);
                        }
                    }
                    else
                    {
                        MqttEncoder.PingResp(output);
                    }
                }

                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Close("write failed: " + ex.Message);
        }
    }

    private async Task EndAsync(Task writer)
    {
        _outbound.Writer.TryComplete();
        // Let queued frames (a refusing CONNACK, the last PUBACKs) go out, but not wait forever on a peer that does not read.
        await writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Close("ended");
        await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _expiryTimer?.Dispose();
        _idleTimer?.Dispose();
        var reason = _closeReason ?? "ended";
        if (Identity is { } identity)
        {
            var applicationId = identity.Application.Id;
            _services.Metrics.Disconnected();
            Log.Disconnected(_services.Logger, applicationId, identity.DeviceId, reason);
            if (_services.Connections.Remove(applicationId, identity.ClientId, this))
            {
                await SendWillAsync(identity);
                try
                {
                    await _services.Devices.RecordConnectivityAsync(applicationId, identity.DeviceId, connected: false, null, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    Log.ConnectionFailed(_services.Logger, ex, _remote);
                }
            }
        }
        else
        {
            Log.ConnectionEnded(_services.Logger, _remote, reason);
        }

        try
        {
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
        }

        _closing.Dispose();
        _completion.TrySetResult();
    }

    /// <summary>On an abnormal close the Will goes out as telemetry marked <c>iothub-MessageType=Will</c> (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", Will messages).</summary>
    private async Task SendWillAsync(DeviceIdentity identity)
    {
        if (_graceful || _connect?.WillTopic is not { } willTopic)
        {
            return;
        }

        var bag = PropertyBag.Parse(IotHubTopics.ClassifyPublish(willTopic, identity.DeviceId, identity.ModuleId).Bag);
        bag.Application.Add(new("iothub-MessageType", "Will"));
        await _services.Telemetry.SubmitAsync(new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            Component = bag.Get("$.sub"),
            ContentType = bag.Get("$.ct"),
            ContentEncoding = bag.Get("$.ce"),
            Properties = bag.Application,
            Body = _connect.WillMessage ?? [],
            EnqueuedTime = _services.Time.GetUtcNow(),
        }, waitForRoom: false, CancellationToken.None);
    }

    /// <summary>
    /// One timer per connection, re-armed only when it fires: the deadline moves with every packet by a timestamp
    /// write, not a timer change per packet.
    /// </summary>
    private void StartIdleTimer(TimeSpan timeout)
    {
        _idleTimeout = timeout;
        _lastPacket = _services.Time.GetTimestamp();
        _idleTimer = _services.Time.CreateTimer(static s => ((MqttConnection)s!).IdleTimerFired(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>From CONNECT on, the connection may stay silent for <paramref name="timeout"/> (1.5 × keep-alive, §3.1.2.10).</summary>
    private void SetIdleTimeout(TimeSpan timeout)
    {
        _idleTimeout = timeout;
        Volatile.Write(ref _lastPacket, _services.Time.GetTimestamp());
        _idleTimer?.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    private void IdleTimerFired()
    {
        // A packet in hand stops the clock, but not for ever: a device that sends and never reads would otherwise
        // hold its read loop waiting for room in its outbound queue.
        var handlingSince = Volatile.Read(ref _handlingSince);
        var remaining = handlingSince != 0 && _services.Time.GetElapsedTime(handlingSince) < MaxHandlingPause
            ? _idleTimeout
            : _idleTimeout - _services.Time.GetElapsedTime(Volatile.Read(ref _lastPacket));
        if (remaining <= TimeSpan.Zero)
        {
            Close(_connect is null ? "no CONNECT in time" : "keep-alive timeout");
            return;
        }

        try
        {
            _idleTimer?.Change(remaining, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ScheduleExpiry(DateTimeOffset expiry, string reason)
    {
        _expiryTimer = _services.Time.CreateTimer(_ =>
        {
            var remaining = expiry - _services.Time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                Close(reason);
            }
            else
            {
                _expiryTimer?.Change(Min(remaining, MaxTimerDue), Timeout.InfiniteTimeSpan);
            }
        }, null, Min(expiry - _services.Time.GetUtcNow(), MaxTimerDue), Timeout.InfiniteTimeSpan);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : b;

    private void Violation(string reason)
    {
        Log.ProtocolViolation(_services.Logger, _remote, reason);
        _services.Metrics.Refused(reason);
        SetReason(reason);
    }

    private static DateTimeOffset? CreationTime(PropertyBag bag)
    {
        var text = bag.Application.FirstOrDefault(p => p.Key == "iothub-creation-time-utc").Value ?? bag.Get("$.ctime");
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;
    }

    /// <summary>
    /// Queues a frame for the device, waiting for room by count and by bytes: what the read loop answers the device
    /// itself, so a device that does not read stops being read (back-pressure on its own requests).
    /// </summary>
    private async ValueTask EnqueueAsync(Outbound item, CancellationToken cancellationToken)
    {
        await _outboundBytes.TakeAsync(item.Size, cancellationToken);
        try
        {
            await _outbound.Writer.WriteAsync(item, cancellationToken);
        }
        catch
        {
            _outboundBytes.Return(item.Size);
            throw;
        }
    }

    /// <summary>Queues a frame the server starts (a desired patch, a method request) only if it fits now.</summary>
    private bool TryEnqueue(Outbound item)
    {
        if (!_outboundBytes.TryTake(item.Size))
        {
            return false;
        }

        if (_outbound.Writer.TryWrite(item))
        {
            return true;
        }

        _outboundBytes.Return(item.Size);
        return false;
    }

    /// <param name="Size">Bytes the frame holds while queued; counted against <see cref="GatewayOptions.OutboundQueueBytes"/>.</param>
    private readonly record struct Outbound(ushort PacketId, Task<StoreResult>? Commit, long ReceivedAt, Action<IBufferWriter<byte>>? Encode, int Size)
    {
        public static readonly Outbound PingResp = default;

        public static Outbound PubAck(ushort packetId, Task<StoreResult> commit, long receivedAt) => new(packetId, commit, receivedAt, null, 0);

        /// <summary>A small control frame (CONNACK, SUBACK, PUBACK…): bounded by the queue's count alone.</summary>
        public static Outbound Frame(Action<IBufferWriter<byte>> encode) => new(0, null, 0, encode, 0);

        /// <summary>A PUBLISH to the device, counted by its topic and payload.</summary>
        public static Outbound Publish(string topic, byte[] payload, Action<IBufferWriter<byte>> encode) =>
            new(0, null, 0, encode, 16 + 2 * topic.Length + payload.Length);
    }
}
