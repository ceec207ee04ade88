using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Centrum.Outcomes;
using Centrum.Twins;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// The device's twin over MQTT (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Retrieving a device
/// twin's properties", "Update device twin's reported properties", "Receiving desired properties update notifications").
/// Answers go out only to a device subscribed to <c>$iothub/twin/res/#</c>.
/// </summary>
internal sealed class TwinHandler(DeviceIdentity identity, Subscriptions subscriptions, OutboundQueue outbound, TwinService twins, TimeProvider time)
{
    /// <summary>
    /// The parser's bound on a reported patch: far above the depth IoT Hub allows twin properties (IoT Hub docs
    /// "Understand and use device twins in IoT Hub"), which <c>TwinService</c> checks with its own error.
    /// </summary>
    private const int MaxPatchDepth = 64;

    public async ValueTask<PacketResult> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        var twin = await twins.GetAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, cancellationToken);
        if (twin is null)
        {
            await ErrorAsync(requestId, 404, 404001, "The device's twin was not found.", cancellationToken);
            return PacketResult.Continue;
        }

        await RespondAsync(IotHubTopics.TwinResponse(200, requestId), Encoding.UTF8.GetBytes(twin.ToDeviceDocument().ToJsonString()), cancellationToken);
        return PacketResult.Continue;
    }

    /// <remarks>The store is written without a cancellation token: a device that hangs up must not cut the transaction in half.</remarks>
    public async ValueTask<PacketResult> PatchReportedAsync(string requestId, long? expectedVersion, byte[] payload, CancellationToken cancellationToken)
    {
        JsonObject? patch;
        try
        {
            patch = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { MaxDepth = MaxPatchDepth }) as JsonObject;
        }
        catch (JsonException)
        {
            patch = null;
        }

        if (patch is null)
        {
            await ErrorAsync(requestId, 400, 400004, "The reported properties patch must be a JSON object.", cancellationToken);
            return PacketResult.Continue;
        }

        var result = await twins.PatchReportedAsync(identity.Application.Id, identity.DeviceId, identity.ModuleId, patch, expectedVersion, CancellationToken.None);
        if (result.Succeeded)
        {
            await RespondAsync(IotHubTopics.TwinResponse(204, requestId, result.Value), [], cancellationToken);
        }
        else
        {
            var (status, errorCode) = StatusOf(result.Problem.Kind);
            await ErrorAsync(requestId, status, errorCode, result.Problem.Message, cancellationToken);
        }

        return PacketResult.Continue;
    }

    /// <summary>
    /// IoT Hub's status and error code for a refused twin update (IoT Hub API "Common error codes" and IoT Hub
    /// diagnostics error codes): 400004 for a body that cannot be validated, 404001 device not found, 412 for a stale
    /// version, 413001 message too large (a twin over the size limit), 429001 throttled.
    /// </summary>
    internal static (int Status, int ErrorCode) StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => (404, 404001),
        ProblemKind.PreconditionFailed => (412, 412001),
        ProblemKind.TooLarge => (413, 413001),
        ProblemKind.LimitReached => (429, 429001),
        _ => (400, 400004),
    };

    /// <summary>
    /// Pushes a desired-properties patch to a device that holds the desired filter; QoS 0, never waited for. A device
    /// that does not read its updates would miss one silently, so a full queue is reported and the caller closes the
    /// connection: the device reconnects and reads the whole twin again, as the SDKs do after a reconnect.
    /// </summary>
    public DesiredPush PushDesired(long version, JsonObject patch)
    {
        var topic = IotHubTopics.DesiredPatch(version);
        if (!subscriptions.Covers(topic))
        {
            return DesiredPush.NotSubscribed;
        }

        var body = (JsonObject)patch.DeepClone();
        body["$version"] = version;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        return outbound.TryEnqueue(Outbound.Publish(topic, bytes, w => MqttEncoder.Publish(w, topic, bytes, 0, 0, false)))
            ? DesiredPush.Queued
            : DesiredPush.QueueFull;
    }

    /// <summary>
    /// Every twin error carries a JSON body with a numeric <c>errorCode</c>: the Node SDK ignores the status and fails the
    /// request only on that field (IoT Hub docs "Understand and use device twins in IoT Hub").
    /// </summary>
    private ValueTask ErrorAsync(string requestId, int status, int errorCode, string message, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["errorCode"] = errorCode,
            ["message"] = message,
            ["trackingId"] = Guid.NewGuid().ToString("N"),
            ["timestampUtc"] = time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        return RespondAsync(IotHubTopics.TwinResponse(status, requestId), Encoding.UTF8.GetBytes(body.ToJsonString()), cancellationToken);
    }

    private ValueTask RespondAsync(string topic, byte[] body, CancellationToken cancellationToken) =>
        subscriptions.Covers(topic)
            ? outbound.EnqueueAsync(Outbound.Publish(topic, body, w => MqttEncoder.Publish(w, topic, body, 0, 0, false)), cancellationToken)
            : ValueTask.CompletedTask;
}

