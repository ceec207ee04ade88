using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Centrum.Commands;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// Delivers the device's cloud-to-device queue, oldest first, at QoS 1 with a small window (IoT Hub docs "Communicate
/// with an IoT hub using the MQTT protocol", "Receiving cloud-to-device messages"). A message leaves the queue only when
/// the device's PUBACK arrives; after a reconnect everything unacknowledged is delivered again, marked DUP. The pump
/// runs from the moment the device listens on <c>devices/{id}/messages/devicebound/#</c> until the connection closes.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Signal can arrive from the queue after the pump stopped; disposing the semaphore would turn a late signal into ObjectDisposedException. Neither the semaphore (its wait handle is never asked for) nor the token source (no timer, no linked tokens) holds an OS resource.")]
internal sealed class CloudToDeviceHandler(DeviceIdentity identity, Subscriptions subscriptions, OutboundQueue outbound, CloudToDeviceQueue queue, CloudToDeviceLocks locks)
{
    /// <summary>Cloud-to-device messages in flight to one device at a time (a small window, as IoT Hub delivers them; IoT Hub docs "Understand cloud-to-device messaging from an IoT hub").</summary>
    public const int WindowSize = 10;

    /// <summary>Longest the pump sleeps without a signal, so messages whose time to live passed are looked past.</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(30);

    // The window, the signal and the stop token exist from the pump's start: a device that never listens for
    // cloud-to-device messages (most idle devices) holds none of them.
    private readonly Lock _lock = new();
    private CloudToDeviceWindow? _window;
    private SemaphoreSlim? _signal;
    private CancellationTokenSource? _stop;
    private Task? _pump;
    private bool _stopped;

    /// <summary>This connection's name in <see cref="CloudToDeviceLocks"/>: it holds the messages of its window until their PUBACK.</summary>
    private string? _holder;

    /// <summary>
    /// Starts the pump if the device listens for messages and it is not running yet. Modules receive no
    /// cloud-to-device messages (IoT Hub delivers them to devices only).
    /// </summary>
    /// <returns>The pump just started, for the connection to watch; null if none started.</returns>
    public Task? StartIfListening()
    {
        if (identity.ModuleId is not null || !subscriptions.Covers(Probe))
        {
            return null;
        }

        lock (_lock)
        {
            if (_pump is not null || _stopped)
            {
                return null;
            }

            _window = new CloudToDeviceWindow(WindowSize);
            _signal = new SemaphoreSlim(0, int.MaxValue);
            _stop = new CancellationTokenSource();
            _holder = Guid.NewGuid().ToString("N");
            var pump = Task.Run(PumpAsync);
            Volatile.Write(ref _pump, pump);
            return pump;
        }
    }

    /// <summary>A message was queued, a subscription or an acknowledgement changed the window: look again.</summary>
    public void Signal()
    {
        if (Volatile.Read(ref _pump) is not null)
        {
            _signal!.Release();
        }
    }

    public async ValueTask<PacketResult> AcknowledgedAsync(ushort packetId)
    {
        if (Volatile.Read(ref _window)?.Acknowledge(packetId) is { } messageId)
        {
            // Not cancellable: the device has the message; dropping the completion would deliver it twice.
            await queue.CompleteAsync(identity.Application.Id, messageId, CancellationToken.None);
            locks.Release(identity.Application.Id, messageId, _holder!);
            Signal();
        }

        return PacketResult.Continue;
    }

    /// <summary>Stops the pump (any thread, idempotent); <see cref="StoppedAsync"/> waits for it.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        _stop?.Cancel();
    }

    /// <summary>Waits for the pump to end; its failure was already reported to the connection that watched it.</summary>
    public async Task StoppedAsync()
    {
        Stop();
        Task? pump;
        lock (_lock)
        {
            pump = _pump;
        }

        if (pump is not null)
        {
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task PumpAsync()
    {
        long after = 0;
        var token = _stop!.Token;
        var window = _window!;
        var signal = _signal!;
        var probe = Probe;
        var holder = _holder!;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var room = window.Room;
                if (room > 0 && subscriptions.Covers(probe))
                {
                    var messages = await queue.PendingAsync(identity.Application.Id, identity.DeviceId, after, room, token);
                    foreach (var message in messages)
                    {
                        after = message.Id;

                        // A receive over HTTPS holds it: that transport delivers it. Freed (abandoned or timed out),
                        // it comes over MQTT on the device's next connection.
                        if (!locks.TryTake(identity.Application.Id, message.Id, holder, DateTimeOffset.MaxValue))
                        {
                            continue;
                        }

                        var packetId = window.Send(message.Id);
                        await queue.MarkDeliveredAsync(identity.Application.Id, message.Id, CancellationToken.None);
                        var topic = IotHubTopics.CloudToDevice(identity.DeviceId, SystemProperties(message), message.Properties);
                        var duplicate = message.DeliveryCount > 0;
                        await outbound.EnqueueAsync(Outbound.Publish(topic, message.Body, w => MqttEncoder.Publish(w, topic, message.Body, 1, packetId, duplicate)), token);
                    }

                    if (messages.Count == room)
                    {
                        continue;
                    }
                }

                await signal.WaitAsync(IdleWait, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            // Unacknowledged messages stay queued (delivered again on the next connection) and free for HTTPS.
            foreach (var messageId in window.InFlight())
            {
                locks.Release(identity.Application.Id, messageId, holder);
            }
        }
    }

    private string Probe => $"devices/{identity.DeviceId}/messages/devicebound/";

    private static IEnumerable<KeyValuePair<string, string?>> SystemProperties(CloudToDeviceMessage message) =>
    [
        new("mid", message.MessageId),
        new("to", $"/devices/{message.DeviceId}/messages/devicebound"),
        new("cid", message.CorrelationId),
        new("ct", message.ContentType),
        new("ce", message.ContentEncoding),
        new("exp", message.ExpiryTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
    ];
}
