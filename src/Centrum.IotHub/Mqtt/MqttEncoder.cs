using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Centrum.IotHub.Mqtt;

/// <summary>Writes the MQTT 3.1.1 packets a server sends.</summary>
internal static class MqttEncoder
{
    public static void ConnAck(IBufferWriter<byte> output, bool sessionPresent, ConnectReturnCode code)
    {
        var span = output.GetSpan(4);
        span[0] = 0x20;
        span[1] = 2;
        span[2] = sessionPresent ? (byte)1 : (byte)0;
        span[3] = (byte)code;
        output.Advance(4);
    }

    public static void PubAck(IBufferWriter<byte> output, ushort packetId) => Ack(output, 0x40, packetId);

    public static void UnsubAck(IBufferWriter<byte> output, ushort packetId) => Ack(output, 0xB0, packetId);

    public static void PingResp(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = 0xD0;
        span[1] = 0;
        output.Advance(2);
    }

    public static void SubAck(IBufferWriter<byte> output, ushort packetId, IReadOnlyList<byte> codes)
    {
        var length = 2 + codes.Count;
        var span = output.GetSpan(5 + length);
        span[0] = 0x90;
        var offset = 1 + WriteLength(span[1..], length);
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], packetId);
        offset += 2;
        for (var i = 0; i < codes.Count; i++)
        {
            span[offset++] = codes[i];
        }

        output.Advance(offset);
    }

    public static void Publish(IBufferWriter<byte> output, string topic, ReadOnlySpan<byte> payload, byte qos, ushort packetId, bool duplicate)
    {
        var topicLength = Encoding.UTF8.GetByteCount(topic);
        var length = 2 + topicLength + (qos > 0 ? 2 : 0) + payload.Length;
        var span = output.GetSpan(5 + length);
        span[0] = (byte)(0x30 | (duplicate ? 0x08 : 0) | (qos << 1));
        var offset = 1 + WriteLength(span[1..], length);
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)topicLength);
        offset += 2;
        offset += Encoding.UTF8.GetBytes(topic, span[offset..]);
        if (qos > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], packetId);
            offset += 2;
        }

        payload.CopyTo(span[offset..]);
        output.Advance(offset + payload.Length);
    }

    private static void Ack(IBufferWriter<byte> output, byte header, ushort packetId)
    {
        var span = output.GetSpan(4);
        span[0] = header;
        span[1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], packetId);
        output.Advance(4);
    }

    private static int WriteLength(Span<byte> span, int length)
    {
        var i = 0;
        do
        {
            var b = (byte)(length & 0x7F);
            length >>= 7;
            span[i++] = length > 0 ? (byte)(b | 0x80) : b;
        }
        while (length > 0);
        return i;
    }
}
