using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// Direct methods on one connection (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Respond to a
/// direct method"): each call gets a request id of its own on this connection, and the device's answer on
/// <c>$iothub/methods/res/{status}/?$rid=…</c> completes the call that id belongs to.
/// </summary>
internal sealed class MethodHandler(Subscriptions subscriptions, OutboundQueue outbound, TimeProvider time)
{
    /// <summary>Created by the first call: most connections never get one, and an idle device's connection should not hold a table.</summary>
    private ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Body)>>? _pending;
    private long _lastRequestId;
    private volatile bool _stopped;

    /// <summary>Calls in flight; tests read it to see that no call outlives its answer.</summary>
    public int Pending => Volatile.Read(ref _pending)?.Count ?? 0;

    private ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Body)>> Calls =>
        Volatile.Read(ref _pending)
        ?? Interlocked.CompareExchange(ref _pending, new(StringComparer.Ordinal), null)
        ?? _pending!;

    /// <summary>Sends the request and waits for the device's answer, at most <paramref name="timeout"/>.</summary>
    public async Task<DirectMethodResult> InvokeAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Interlocked.Increment(ref _lastRequestId).ToString("x", CultureInfo.InvariantCulture);
        var topic = IotHubTopics.MethodRequest(methodName, requestId);
        if (!subscriptions.Covers(topic) || _stopped)
        {
            return new DirectMethodResult(DirectMethodStatus.NotConnected);
        }

        var pending = new TaskCompletionSource<(int, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Calls;
        calls[requestId] = pending;
        try
        {
            // Stop fails what is pending; one that began just before this call was registered is seen here.
            if (_stopped)
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            // Node parses every request body with JSON.parse: no payload travels as the four bytes "null" (azure-iot-sdk-node, device/core/src/device_method/device_method_request.ts).
            var body = Encoding.UTF8.GetBytes(payload?.ToJsonString() ?? "null");
            if (!outbound.TryEnqueue(Outbound.Publish(topic, body, w => MqttEncoder.Publish(w, topic, body, 0, 0, false))))
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            var (status, response) = await pending.Task.WaitAsync(timeout, time, cancellationToken);
            return status < 0
                ? new DirectMethodResult(DirectMethodStatus.NotConnected)
                : new DirectMethodResult(DirectMethodStatus.Answered, status, ParseResponse(response));
        }
        catch (TimeoutException)
        {
            return new DirectMethodResult(DirectMethodStatus.Timeout);
        }
        finally
        {
            calls.TryRemove(requestId, out _);
        }
    }

    /// <summary>The device answered; unknown and late answers are dropped, as IoT Hub drops them.</summary>
    public PacketResult Answered(string requestId, int status, byte[] body)
    {
        if (Volatile.Read(ref _pending) is { } calls && calls.TryRemove(requestId, out var pending))
        {
            pending.TrySetResult((status, body));
        }

        return PacketResult.Continue;
    }

    /// <summary>The connection is closing: every call waiting is answered "not connected" now, not at its timeout, and no new one starts.</summary>
    public void Stop()
    {
        _stopped = true;
        foreach (var pending in Volatile.Read(ref _pending)?.Values ?? [])
        {
            pending.TrySetResult((-1, []));
        }
    }

    /// <summary>A JSON answer as JSON; anything else as a JSON string of its text; nothing as null.</summary>
    internal static JsonNode? ParseResponse(byte[] body)
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
}
