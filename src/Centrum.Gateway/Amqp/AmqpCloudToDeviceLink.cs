using System.Diagnostics.CodeAnalysis;
using Centrum.Commands;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Internal;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// The device's receiver link on <c>/devices/{id}/messages/deviceBound</c>: the device's cloud-to-device queue, oldest
/// first, taken through the same one-holder <see cref="CloudToDeviceLocks"/> as MQTT and HTTPS, at most
/// <see cref="CloudToDeviceHandler.WindowSize"/> unsettled at a time. Each delivery's tag is its lock token's 16 bytes
/// (IoT Hub's dialect: the C# SDK reads <c>new Guid(DeliveryTag)</c>); the device's outcome settles it (IoT Hub docs
/// "Understand cloud-to-device messaging from an IoT hub"): Accepted completes, Rejected dead-letters (the message
/// leaves the queue as an HTTPS reject does), Released and Modified abandon it (it stays queued and comes again).
/// Whatever is unsettled when the link ends stays queued and is delivered again on the next link, over any transport.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "As CloudToDeviceHandler: a late Signal must not meet a disposed semaphore, and neither the semaphore nor the token source holds an OS resource.")]
internal sealed class AmqpCloudToDeviceLink
{
    /// <summary>Longest the pump sleeps without a signal, so messages whose time to live passed are looked past.</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(30);

    private readonly SendingAmqpLink _link;
    private readonly AmqpDeviceSession _session;
    private readonly GatewayServices _services;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<Guid, long> _inFlight = [];
    private readonly HashSet<Guid> _settling = [];
    private readonly Lock _gate = new();
    private readonly string _holder = Guid.NewGuid().ToString("N");

    public AmqpCloudToDeviceLink(SendingAmqpLink link, AmqpDeviceSession session, GatewayServices services)
    {
        _link = link;
        _session = session;
        _services = services;
    }

    public void Start(AmqpDeviceConnection connection)
    {
        _link.RegisterDispositionListener(OnDisposition);
        _link.Closed += (_, _) =>
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The pump has already finished.
            }
        };
        connection.Observe(PumpAsync(), "cloud-to-device messages could not be delivered");
    }

    /// <summary>A message was queued or a place in the window came free: look again.</summary>
    public void Signal() => _signal.Release();

    private async Task PumpAsync()
    {
        await Task.Yield();
        var identity = _session.Identity;
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                int room;
                HashSet<long> sent;
                lock (_gate)
                {
                    room = CloudToDeviceHandler.WindowSize - _inFlight.Count;
                    sent = [.. _inFlight.Values];
                }

                if (room > 0)
                {
                    // The queue holds at most 50 messages: read it whole and pass over what this link already holds,
                    // so an abandoned message (freed, still queued) is found again.
                    var messages = await _services.CloudToDevice.PendingAsync(identity.Application.Id, identity.DeviceId, 0, CommandLimits.MaxQueuedMessages, token);
                    foreach (var message in messages)
                    {
                        if (room == 0)
                        {
                            break;
                        }

                        if (sent.Contains(message.Id) || !_services.CloudToDeviceLocks.TryTake(identity.Application.Id, message.Id, _holder, DateTimeOffset.MaxValue))
                        {
                            continue;
                        }

                        var lockToken = Guid.NewGuid();
                        lock (_gate)
                        {
                            _inFlight[lockToken] = message.Id;
                        }

                        room--;
                        await _services.CloudToDevice.MarkDeliveredAsync(identity.Application.Id, message.Id, CancellationToken.None);
                        _link.SendMessageNoWait(ToAmqp(message, lockToken), new ArraySegment<byte>(lockToken.ToByteArray()), AmqpConstants.NullBinary);
                    }
                }

                await _signal.WaitAsync(IdleWait, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            // Unsettled messages stay queued (delivered again on the next link) and free for the other transports.
            long[] held;
            lock (_gate)
            {
                held = [.. _inFlight.Values];
                _inFlight.Clear();
            }

            foreach (var messageId in held)
            {
                _services.CloudToDeviceLocks.Release(identity.Application.Id, messageId, _holder);
            }

            _stop.Dispose();
        }
    }

    private void OnDisposition(Delivery delivery)
    {
        var state = delivery.State;
        if (delivery.DeliveryTag.Count != 16 || state is null or Received)
        {
            return;
        }

        var lockToken = new Guid(delivery.DeliveryTag.AsSpan());
        long messageId;
        lock (_gate)
        {
            // The message stays in flight until its outcome is applied, so the pump does not send it again meanwhile.
            if (!_inFlight.TryGetValue(lockToken, out messageId) || !_settling.Add(lockToken))
            {
                return;
            }
        }

        // RcvSettleMode=Second (the C# SDK's cloud-to-device link): the device waits for the server to settle.
        if (!delivery.Settled)
        {
            _link.DisposeDelivery(delivery, true, state);
        }

        _session.Connection.Observe(SettleAsync(lockToken, messageId, state), "a cloud-to-device outcome could not be applied");
    }

    private async Task SettleAsync(Guid lockToken, long messageId, DeliveryState state)
    {
        var identity = _session.Identity;
        var applicationId = identity.Application.Id;
        var outcome = state switch
        {
            Accepted => "completed",
            Rejected => "rejected",
            Modified { UndeliverableHere: true } => "rejected",
            _ => "abandoned",
        };
        if (outcome != "abandoned")
        {
            // Not cancellable: the device has settled the message; dropping the completion would deliver it twice.
            await _services.CloudToDevice.CompleteAsync(applicationId, messageId, CancellationToken.None);
        }

        _services.CloudToDeviceLocks.Release(applicationId, messageId, _holder);
        lock (_gate)
        {
            _inFlight.Remove(lockToken);
            _settling.Remove(lockToken);
        }

        Log.CloudToDeviceSettled(_services.Logger, applicationId, identity.DeviceId, messageId, outcome);
        Signal();
    }

    /// <summary>
    /// The message as IoT Hub sends it (edgeHub <c>AmqpMessageConverter.FromMessage</c>): message-id, to, correlation-id,
    /// content type and encoding, absolute expiry in the properties; the lock token, enqueued time, delivery count and
    /// sequence number as annotations; the user properties as application properties.
    /// </summary>
    internal static AmqpMessage ToAmqp(CloudToDeviceMessage message, Guid lockToken)
    {
        var amqp = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(message.Body) });
        amqp.Properties.MessageId = message.MessageId;
        amqp.Properties.To = $"/devices/{Uri.EscapeDataString(message.DeviceId)}/messages/deviceBound";
        amqp.Properties.AbsoluteExpiryTime = message.ExpiryTime.UtcDateTime;
        if (message.CorrelationId is { } correlationId)
        {
            amqp.Properties.CorrelationId = correlationId;
        }

        if (message.ContentType is { } contentType)
        {
            amqp.Properties.ContentType = contentType;
        }

        if (message.ContentEncoding is { } contentEncoding)
        {
            amqp.Properties.ContentEncoding = contentEncoding;
        }

        var annotations = amqp.MessageAnnotations.Map;
        annotations["x-opt-lock-token"] = lockToken;
        annotations["iothub-enqueuedtime"] = message.EnqueuedTime.UtcDateTime;
        annotations["iothub-deliverycount"] = message.DeliveryCount + 1;
        annotations["x-opt-sequence-number"] = message.Id;
        foreach (var (key, value) in message.Properties)
        {
            amqp.ApplicationProperties.Map[key] = value;
        }

        return amqp;
    }
}
