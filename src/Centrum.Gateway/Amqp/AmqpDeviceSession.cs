using System.Text;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Internal;
using Centrum.Gateway.Sessions;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// One device (or module) on an AMQP connection, from its first accepted put-token (or its first link authorised by
/// its TLS client certificate) until its token lapses, its connection ends or a newer connection of the same identity
/// (over AMQP or MQTT) takes over. It is what <see cref="ConnectionRegistry"/> holds for the device, as
/// <see cref="DeviceSession"/> is for MQTT; several of them share one connection when a gateway multiplexes devices
/// (IoT Hub, "AMQP connection pooling" in the C# SDK).
/// </summary>
internal sealed class AmqpDeviceSession : IDeviceSession
{
    private readonly AmqpDeviceConnection _connection;
    private readonly GatewayServices _services;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<AmqpLink> _links = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, TaskCompletionSource<(int Status, byte[] Body)>> _calls = [];
    private ITimer? _expiry;
    private AmqpCloudToDeviceLink? _cloudToDevice;
    private SendingAmqpLink? _twinReplies;
    private SendingAmqpLink? _methodRequests;
    private ReceivingAmqpLink? _methodAnswers;
    private bool _desired;
    private bool _closed;
    private bool _started;

    public AmqpDeviceSession(AmqpDeviceConnection connection, DeviceIdentity identity)
    {
        _connection = connection;
        _services = connection.Services;
        Identity = identity;
    }

    public DeviceIdentity Identity { get; private set; }

    public Task Completion => _completion.Task;

    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>A refreshed token (same identity, new expiry) moves the deadline on.</summary>
    public void Renew(DeviceIdentity identity)
    {
        Identity = identity;
        ScheduleExpiry();
    }

    public void ScheduleExpiry()
    {
        var due = Identity.CredentialExpiry - _services.Time.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        // Timers take at most about 49 days.
        if (due > TimeSpan.FromDays(30))
        {
            due = TimeSpan.FromDays(30);
        }

        var timer = _services.Time.CreateTimer(_ => OnExpiry(), null, due, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _expiry, timer)?.Dispose();
    }

    public bool TryAddLink(AmqpLink link)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _links.Add(link);
        }

        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                _links.Remove(link);
            }
        };
        return true;
    }

    public void Close(string reason) => _ = EndAsync(reason, new Error { Condition = AmqpErrorCode.DetachForced, Description = reason });

    /// <summary>
    /// What the device listens for, in the MQTT topic names the rest of the server asks with: direct methods once both
    /// method links are attached, desired-property notifications once the twin receiver is attached and the device asked
    /// for them (PUT), cloud-to-device messages while its deviceBound link is attached.
    /// </summary>
    public bool IsSubscribed(string topic)
    {
        lock (_gate)
        {
            if (topic.StartsWith("$iothub/methods/POST/", StringComparison.Ordinal))
            {
                return _methodRequests is not null && _methodAnswers is not null;
            }

            if (topic.StartsWith("$iothub/twin/PATCH/properties/desired/", StringComparison.Ordinal))
            {
                return _desired && _twinReplies is not null;
            }

            return _cloudToDevice is not null && topic.StartsWith("devices/", StringComparison.Ordinal) && topic.Contains("/messages/devicebound/", StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Sends a direct method request on the device's method receiver link (IoT Hub's AMQP dialect: the payload as a
    /// Data section, the request id as a uuid correlation-id, the name as application property
    /// <c>IoThub-methodname</c>) and waits for the answer on its method sender link, at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<DirectMethodResult> InvokeMethodAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid();
        var pending = new TaskCompletionSource<(int Status, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        SendingAmqpLink? link;
        lock (_gate)
        {
            link = _closed || _methodAnswers is null ? null : _methodRequests;
            if (link is not null)
            {
                _calls[requestId] = pending;
            }
        }

        if (link is null)
        {
            return new DirectMethodResult(DirectMethodStatus.NotConnected);
        }

        try
        {
            // Node parses every request body with JSON.parse: no payload travels as "null", as over MQTT.
            var request = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(payload?.ToJsonString() ?? "null")) });
            request.Properties.CorrelationId = requestId;
            request.ApplicationProperties.Map["IoThub-methodname"] = methodName;
            try
            {
                link.SendMessageNoWait(request, new ArraySegment<byte>(requestId.ToByteArray()), AmqpConstants.NullBinary);
            }
            catch (Exception ex) when (ex is AmqpException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                request.Dispose();
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            var (status, body) = await pending.Task.WaitAsync(timeout, _services.Time, cancellationToken);
            return status < 0
                ? new DirectMethodResult(DirectMethodStatus.NotConnected)
                : new DirectMethodResult(DirectMethodStatus.Answered, status, MethodHandler.ParseResponse(body));
        }
        catch (TimeoutException)
        {
            return new DirectMethodResult(DirectMethodStatus.Timeout);
        }
        finally
        {
            lock (_gate)
            {
                _calls.Remove(requestId);
            }
        }
    }

    /// <summary>Pushes a desired-properties patch on the twin receiver link: no correlation-id, the patch with its <c>$version</c> as the body.</summary>
    public void PushDesired(long version, JsonObject patch)
    {
        SendingAmqpLink? link;
        lock (_gate)
        {
            link = _desired ? _twinReplies : null;
        }

        if (link is null)
        {
            return;
        }

        var body = (JsonObject)patch.DeepClone();
        body["$version"] = version;
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(body.ToJsonString())) });
        message.MessageAnnotations.Map["version"] = version;
        Send(link, message);
    }

    public void SignalCloudToDevice()
    {
        AmqpCloudToDeviceLink? link;
        lock (_gate)
        {
            link = _cloudToDevice;
        }

        link?.Signal();
    }

    public AmqpDeviceConnection Connection => _connection;

    /// <summary>The device's cloud-to-device receiver link; one at a time, as IoT Hub allows.</summary>
    public bool TryAttachCloudToDevice(SendingAmqpLink link, AmqpCloudToDeviceLink pump)
    {
        lock (_gate)
        {
            if (_cloudToDevice is not null)
            {
                return false;
            }

            _cloudToDevice = pump;
        }

        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_cloudToDevice, pump))
                {
                    _cloudToDevice = null;
                }
            }
        };
        return true;
    }

    /// <summary>The device's twin receiver link: answers and desired-property notifications go out on the latest one.</summary>
    public void AttachTwinReplies(SendingAmqpLink link)
    {
        lock (_gate)
        {
            _twinReplies = link;
        }

        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_twinReplies, link))
                {
                    _twinReplies = null;
                    _desired = false;
                }
            }
        };
    }

    public void DesiredNotifications(bool on)
    {
        lock (_gate)
        {
            _desired = on;
        }
    }

    /// <summary>A twin answer on the device's twin receiver link; dropped when the device has none (it gets no answer, as over MQTT without the response subscription).</summary>
    public void SendTwin(AmqpMessage message)
    {
        SendingAmqpLink? link;
        lock (_gate)
        {
            link = _twinReplies;
        }

        if (link is null)
        {
            message.Dispose();
            return;
        }

        Send(link, message);
    }

    /// <summary>The device's method receiver link (requests go out on it).</summary>
    public void AttachMethodRequests(SendingAmqpLink link)
    {
        lock (_gate)
        {
            _methodRequests = link;
        }

        link.Closed += (_, _) => DetachMethods(link);
    }

    /// <summary>The device's method sender link: each answer completes the call its correlation-id names; unknown and late answers are dropped.</summary>
    public void AttachMethodAnswers(ReceivingAmqpLink link)
    {
        lock (_gate)
        {
            _methodAnswers = link;
        }

        link.Closed += (_, _) => DetachMethods(link);
        link.RegisterMessageListener(answer =>
        {
            using (answer)
            {
                if (!answer.Settled)
                {
                    link.DisposeMessage(answer, AmqpConstants.AcceptedOutcome, settled: true, batchable: true);
                }

                // The request went out with a uuid correlation-id; Node answers it as a uuid, C# as new Guid(requestId).
                var (requestId, status, body) = AmqpRequestMapping.MethodAnswer(answer);
                TaskCompletionSource<(int, byte[])>? pending;
                lock (_gate)
                {
                    _calls.Remove(requestId, out pending);
                }

                pending?.TrySetResult((status, body));
            }
        });
    }

    private void DetachMethods(AmqpLink link)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_methodRequests, link))
            {
                _methodRequests = null;
            }

            if (ReferenceEquals(_methodAnswers, link))
            {
                _methodAnswers = null;
            }
        }
    }

    private static void Send(SendingAmqpLink link, AmqpMessage message)
    {
        try
        {
            link.SendMessageNoWait(message, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // The link is closing: the device gets nothing more on it.
            message.Dispose();
        }
    }

    public void Started()
    {
        Volatile.Write(ref _started, true);
        _services.Metrics.Connected();
        Log.Connected(_services.Logger, Identity.Application.Id, Identity.DeviceId, _connection.Remote, cleanSession: true, sessionPresent: false);
        ScheduleExpiry();
        _connection.Observe(
            _services.Devices.RecordConnectivityAsync(Identity.Application.Id, Identity.DeviceId, connected: true, Identity.ModelId, CancellationToken.None),
            "connectivity could not be recorded");
    }

    /// <summary>Detaches the device's links (with <paramref name="error"/>) and lets go of the device, once.</summary>
    public async Task EndAsync(string reason, Error? error)
    {
        AmqpLink[] links;
        TaskCompletionSource<(int Status, byte[] Body)>[] calls;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            links = [.. _links];
            _links.Clear();
            calls = [.. _calls.Values];
            _calls.Clear();
        }

        // Calls waiting are answered "not connected" now, not at their timeout.
        foreach (var call in calls)
        {
            call.TrySetResult((-1, []));
        }

        Interlocked.Exchange(ref _expiry, null)?.Dispose();
        foreach (var link in links)
        {
            link.SafeClose(error is null ? null : new AmqpException(error));
        }

        try
        {
            if (Volatile.Read(ref _started))
            {
                _services.Metrics.Disconnected();
            }

            Log.Disconnected(_services.Logger, Identity.Application.Id, Identity.DeviceId, reason);
            if (_services.Connections.Remove(Identity.Application.Id, Identity.ClientId, this))
            {
                await _services.Devices.RecordConnectivityAsync(Identity.Application.Id, Identity.DeviceId, connected: false, null, CancellationToken.None);
            }
        }
        finally
        {
            _completion.TrySetResult();
            _connection.Ended(this, reason);
        }
    }

    private void OnExpiry()
    {
        if (Identity.CredentialExpiry <= _services.Time.GetUtcNow())
        {
            // IoT Hub detaches a device's links when its token lapses without a refresh (put-token on $cbs).
            _ = EndAsync("SAS token expired", new Error { Condition = AmqpErrorCode.UnauthorizedAccess, Description = "The SAS token has expired." });
        }
        else
        {
            ScheduleExpiry();
        }
    }
}
