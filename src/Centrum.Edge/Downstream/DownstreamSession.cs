using System.Diagnostics;
using Centrum.Edge.Buffering;
using Centrum.Edge.Internal;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Microsoft.Extensions.Logging;

namespace Centrum.Edge.Downstream;

/// <summary>
/// One downstream device or module connected to the edge. Device-to-cloud messages go to the store and forward for
/// <c>$upstream</c> with their property bag as sent, and a QoS 1 PUBLISH is acknowledged only once its message is
/// committed there (the edge's promise: nothing acknowledged is lost while the cloud is out of reach).
/// </summary>
internal sealed class DownstreamSession(ScopeIdentity identity, MqttConnection connection, MessageStore store, ILogger logger) : IMqttSession
{
    /// <summary>The endpoint IoT Edge's routes name for the cloud (<c>INTO $upstream</c>).</summary>
    public const string Upstream = "$upstream";

    public async ValueTask<PacketResult> PublishAsync(PublishPacket publish, CancellationToken cancellationToken)
    {
        var received = Stopwatch.GetTimestamp();
        var topic = IotHubTopics.ClassifyPublish(publish.Topic, identity.DeviceId, identity.ModuleId);
        if (topic.Kind != DeviceTopicKind.Telemetry)
        {
            // Twin and method answers through the edge are not served yet: refused as IoT Hub refuses an unknown topic.
            return PacketResult.Violation("topic is not served by this edge: " + topic.Kind);
        }

        var bag = PropertyBag.Parse(topic.Bag.Span);
        if (publish.Payload.Length + bag.Size > IotHubLimits.MaxTelemetrySize)
        {
            return PacketResult.Violation("message larger than 256 KB");
        }

        var commit = await store.SubmitAsync(Upstream, new EdgeMessage(identity.ClientId, topic.Bag.ToString(), publish.Payload), cancellationToken);
        if (publish.Qos > 0)
        {
            await connection.Outbound.WriteAsync(Outbound.PubAck(publish.PacketId, Stored(commit), received), cancellationToken);
        }

        return PacketResult.Continue;
    }

    public async ValueTask<PacketResult> SubscribeAsync(SubscribePacket subscribe, CancellationToken cancellationToken)
    {
        // Cloud-to-device, twin and method topics through the edge come with the upstream link; until then each filter
        // is refused (SUBACK 0x80, MQTT 3.1.1 §3.9.3) rather than granted and never served.
        var codes = subscribe.Filters.Select(_ => (byte)0x80).ToArray();
        await connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.SubAck(w, subscribe.PacketId, codes)), cancellationToken);
        return PacketResult.Continue;
    }

    public async ValueTask<PacketResult> UnsubscribeAsync(UnsubscribePacket unsubscribe, CancellationToken cancellationToken)
    {
        await connection.Outbound.WriteAsync(Outbound.Frame(w => MqttEncoder.UnsubAck(w, unsubscribe.PacketId)), cancellationToken);
        return PacketResult.Continue;
    }

    public ValueTask<PacketResult> AcknowledgedAsync(ushort packetId, CancellationToken cancellationToken) => ValueTask.FromResult(PacketResult.Continue);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing runs beside the read loop yet: PUBACKs wait on their commits in the connection's write loop.</summary>
    public void Closing()
    {
    }

    public Task EndAsync(string reason, bool graceful)
    {
        Log.DownstreamEnded(logger, $"{identity.ClientId} ({connection.Remote})", reason);
        return Task.CompletedTask;
    }

    /// <summary>Completes when the message is committed; faults when the store refused it, so no PUBACK leaves for it.</summary>
    private static async Task Stored(Task<AppendOutcome> commit)
    {
        var outcome = await commit.ConfigureAwait(false);
        if (outcome != AppendOutcome.Stored)
        {
            throw new MessageRefusedException(outcome);
        }
    }
}
