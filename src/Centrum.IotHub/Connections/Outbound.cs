using System.Buffers;

namespace Centrum.IotHub.Connections;

/// <summary>One frame waiting in a connection's outbound queue.</summary>
/// <param name="Size">Bytes the frame holds while queued; counted against <see cref="MqttConnectionLimits.OutboundQueueBytes"/>.</param>
internal readonly record struct Outbound(ushort PacketId, Task? Commit, long ReceivedAt, Action<IBufferWriter<byte>>? Encode, int Size)
{
    /// <summary>A PINGRESP: the all-default frame (no packet id, no commit, no encoder).</summary>
    public static Outbound PingResp => default;

    /// <summary>A telemetry PUBACK, written only once <paramref name="commit"/> has made the message durable.</summary>
    public static Outbound PubAck(ushort packetId, Task commit, long receivedAt) => new(packetId, commit, receivedAt, null, 0);

    /// <summary>A small control frame (CONNACK, SUBACK, PUBACK…): bounded by the queue's count alone.</summary>
    public static Outbound Frame(Action<IBufferWriter<byte>> encode) => new(0, null, 0, encode, 0);

    /// <summary>A PUBLISH to the device, counted by its topic and payload.</summary>
    public static Outbound Publish(string topic, byte[] payload, Action<IBufferWriter<byte>> encode) =>
        new(0, null, 0, encode, 16 + 2 * topic.Length + payload.Length);
}
