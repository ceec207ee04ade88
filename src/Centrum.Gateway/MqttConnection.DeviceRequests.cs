using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.IotHub;
using Centrum.Gateway.Mqtt;
using Centrum.Twins;

namespace Centrum.Gateway;

/// <summary>Twins, direct methods and cloud-to-device messages on one connection (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol").</summary>
internal sealed partial class MqttConnection
{
    /// <summary>Cloud-to-device messages in flight to one device at a time (a small window, as IoT Hub delivers them; IoT Hub docs "Understand cloud-to-device messaging from an IoT hub").</summary>
    private const int CloudToDeviceWindow = 10;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Body)>> _pendingMethods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ushort, long> _cloudToDeviceInFlight = new();
    private readonly SemaphoreSlim _cloudToDeviceSignal = new(0, int.MaxValue);
    private Task? _cloudToDevicePump;
    private long _methodRequestId;
    private int _nextPacketId;

    private async Task TwinGetAsync(string requestId, CancellationToken cancellationToken)
    {
        var identity = Identity!;
        var twin = await _services.Twins.GetAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, cancellationToken);
        if (twin is null)
        {
            await TwinErrorAsync(requestId, 404, 404001, "The device's twin was not found.", cancellationToken);
            return;
        }

        await SendTwinResponseAsync(IotHubTopics.TwinResponse(200, requestId), Encoding.UTF8.GetBytes(twin.ToDeviceDocument().ToJsonString()), cancellationToken);
    }

    private async Task TwinPatchAsync(string requestId, long? expectedVersion, byte[] payload, CancellationToken cancellationToken)
    {
        var identity = Identity!;
        JsonObject? patch;
        try
        {
            patch = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException)
        {
            patch = null;
        }

        if (patch is null)
        {
            await TwinErrorAsync(requestId, 400, 400004, "The reported properties patch must be a JSON object.", cancellationToken);
            return;
        }

        var result = await _services.Twins.PatchReportedAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, patch, expectedVersion, CancellationToken.None);
        switch (result.Status)
        {
            case TwinUpdateStatus.Updated:
                await SendTwinResponseAsync(IotHubTopics.TwinResponse(204, requestId, result.Version), [], cancellationToken);
                break;
            case TwinUpdateStatus.VersionMismatch:
                await TwinErrorAsync(requestId, 412, 412001, result.Error!, cancellationToken);
                break;
            case TwinUpdateStatus.DeviceNotFound:
                await TwinErrorAsync(requestId, 404, 404001, result.Error!, cancellationToken);
                break;
            default:
                await TwinErrorAsync(requestId, 400, 400004, result.Error!, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Every twin error carries a JSON body with a numeric <c>errorCode</c>: the Node SDK ignores the status and fails the
    /// request only on that field (IoT Hub docs "Understand and use device twins in IoT Hub").
    /// </summary>
    private Task TwinErrorAsync(string requestId, int status, int errorCode, string message, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["errorCode"] = errorCode,
            ["message"] = message,
            ["trackingId"] = Guid.NewGuid().ToString("N"),
            ["timestampUtc"] = _services.Time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        return SendTwinResponseAsync(IotHubTopics.TwinResponse(status, requestId), Encoding.UTF8.GetBytes(body.ToJsonString()), cancellationToken);
    }

    private async Task SendTwinResponseAsync(string topic, byte[] body, CancellationToken cancellationToken)
    {
        if (IsSubscribed(topic))
        {
            await EnqueueAsync(Outbound.Publish(topic, body, w => MqttEncoder.Publish(w, topic, body, 0, 0, false)), cancellationToken);
        }
    }

    /// <summary>Pushes a desired-properties patch to a device that holds the desired filter; QoS 0, never queued (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Receiving desired properties update notifications").</summary>
    public void SendDesiredPatch(long version, JsonObject patch)
    {
        var topic = IotHubTopics.DesiredPatch(version);
        if (!IsSubscribed(topic))
        {
            return;
        }

        var body = (JsonObject)patch.DeepClone();
        body["$version"] = version;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        // A device that does not read its updates would miss one silently; closing it makes it reconnect and read
        // the whole twin again, as the SDKs do after a reconnect.
        if (!TryEnqueue(Outbound.Publish(topic, bytes, w => MqttEncoder.Publish(w, topic, bytes, 0, 0, false))))
        {
            Close("outbound queue full: the device does not read");
        }
    }

    /// <summary>Calls a direct method on this connection and waits for the device's answer.</summary>
    public async Task<DirectMethodResult> InvokeMethodAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Interlocked.Increment(ref _methodRequestId).ToString("x", CultureInfo.InvariantCulture);
        var topic = IotHubTopics.MethodRequest(methodName, requestId);
        if (!IsSubscribed(topic) || _closing.IsCancellationRequested)
        {
            return new DirectMethodResult(DirectMethodStatus.NotConnected);
        }

        var pending = new TaskCompletionSource<(int, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingMethods[requestId] = pending;
        try
        {
            // Close fails what is pending; one that began just before this request was registered is seen here.
            if (_closing.IsCancellationRequested)
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            // Node parses every request body with JSON.parse: no payload travels as the four bytes "null" (azure-iot-sdk-node, device/core/src/device_method/device_method_request.ts).
            var body = Encoding.UTF8.GetBytes(payload?.ToJsonString() ?? "null");
            if (!TryEnqueue(Outbound.Publish(topic, body, w => MqttEncoder.Publish(w, topic, body, 0, 0, false))))
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            var (status, response) = await pending.Task.WaitAsync(timeout, cancellationToken);
            if (status < 0)
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            return new DirectMethodResult(DirectMethodStatus.Answered, status, ParseResponse(response));
        }
        catch (TimeoutException)
        {
            return new DirectMethodResult(DirectMethodStatus.Timeout);
        }
        finally
        {
            _pendingMethods.TryRemove(requestId, out _);
        }
    }

    private void MethodResponse(string requestId, int status, byte[] body)
    {
        // Unknown or late answers are dropped.
        if (_pendingMethods.TryRemove(requestId, out var pending))
        {
            pending.TrySetResult((status, body));
        }
    }

    private void FailPendingMethods()
    {
        foreach (var pending in _pendingMethods.Values)
        {
            pending.TrySetResult((-1, []));
        }
    }

    /// <summary>A JSON answer as JSON; anything else as a JSON string of its text; nothing as null.</summary>
    private static JsonNode? ParseResponse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(body));
        }
    }

    public void SignalCloudToDevice() => _cloudToDeviceSignal.Release();

    private void StartCloudToDevice() => _cloudToDevicePump = Task.Run(CloudToDevicePumpAsync);

    private async Task StopCloudToDeviceAsync()
    {
        if (_cloudToDevicePump is { } pump)
        {
            _cloudToDeviceSignal.Release();
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Delivers the device's queue, oldest first, at QoS 1 with a small window. A message leaves the queue only when the
    /// device's PUBACK arrives; after a reconnect everything unacknowledged is delivered again, marked DUP.
    /// </summary>
    private async Task CloudToDevicePumpAsync()
    {
        var identity = Identity!;
        var filterTopic = $"devices/{identity.DeviceId}/messages/devicebound/";
        long after = 0;
        var token = _closing.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var room = CloudToDeviceWindow - _cloudToDeviceInFlight.Count;
                if (room > 0 && identity.ModuleId is null && IsSubscribed(filterTopic))
                {
                    var messages = await _services.CloudToDevice.PendingAsync(identity.Application.Id, identity.DeviceId, after, room, token);
                    foreach (var message in messages)
                    {
                        after = message.Id;
                        var packetId = NextPacketId();
                        _cloudToDeviceInFlight[packetId] = message.Id;
                        await _services.CloudToDevice.MarkDeliveredAsync(identity.Application.Id, message.Id, CancellationToken.None);
                        var topic = IotHubTopics.CloudToDevice(identity.DeviceId, SystemProperties(message), message.Properties);
                        var duplicate = message.DeliveryCount > 0;
                        await EnqueueAsync(Outbound.Publish(topic, message.Body, w => MqttEncoder.Publish(w, topic, message.Body, 1, packetId, duplicate)), token);
                    }

                    if (messages.Count == room)
                    {
                        continue;
                    }
                }

                // Woken by a new message, a subscription or an acknowledgement; the timeout lets expiries pass.
                await _cloudToDeviceSignal.WaitAsync(TimeSpan.FromSeconds(30), token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Internal.Log.ConnectionFailed(_services.Logger, ex, _remote);
            Close("cloud-to-device delivery failed");
        }
    }

    private async Task CloudToDeviceAcknowledgedAsync(ushort packetId, CancellationToken cancellationToken)
    {
        if (_cloudToDeviceInFlight.TryRemove(packetId, out var id))
        {
            await _services.CloudToDevice.CompleteAsync(Identity!.Application.Id, id, CancellationToken.None);
            SignalCloudToDevice();
        }
    }

    private ushort NextPacketId()
    {
        while (true)
        {
            var id = (ushort)(Interlocked.Increment(ref _nextPacketId) % 65535 + 1);
            if (!_cloudToDeviceInFlight.ContainsKey(id))
            {
                return id;
            }
        }
    }

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
