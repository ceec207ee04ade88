using System.Buffers;
using System.Text;

namespace Centrum.IotHub.Mqtt;

/// <summary>Reads MQTT 3.1.1 packets from a byte sequence (spec §2–§3). Never throws on input.</summary>
internal static class MqttDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads one packet from the front of <paramref name="buffer"/>, advancing it past the packet on success.</summary>
    public static MqttDecodeStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxPacketSize, out MqttPacket? packet)
    {
        packet = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var header))
        {
            return MqttDecodeStatus.Incomplete;
        }

        // Remaining length: up to four 7-bit groups (§2.2.3).
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 21)
            {
                return MqttDecodeStatus.Malformed;
            }

            if (!reader.TryRead(out var b))
            {
                return MqttDecodeStatus.Incomplete;
            }

            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (length > maxPacketSize)
        {
            return MqttDecodeStatus.TooLarge;
        }

        if (reader.Remaining < length)
        {
            return MqttDecodeStatus.Incomplete;
        }

        var body = buffer.Slice(reader.Position, length);
        var type = (MqttPacketType)(header >> 4);
        var flags = (byte)(header & 0x0F);
        var status = Decode(type, flags, body, out packet);
        if (status == MqttDecodeStatus.Packet)
        {
            buffer = buffer.Slice(body.End);
        }

        return status;
    }

    private static MqttDecodeStatus Decode(MqttPacketType type, byte flags, ReadOnlySequence<byte> body, out MqttPacket? packet)
    {
        packet = null;
        var reader = new SequenceReader<byte>(body);
        switch (type)
        {
            case MqttPacketType.Connect when flags == 0:
                return ReadConnect(ref reader, out packet);
            case MqttPacketType.Publish:
                return ReadPublish(ref reader, flags, out packet);
            case MqttPacketType.PubAck when flags == 0 && body.Length == 2:
                reader.TryReadBigEndian(out short ackId);
                packet = new PubAckPacket((ushort)ackId);
                return MqttDecodeStatus.Packet;
            case MqttPacketType.Subscribe when flags == 0b0010:
                return ReadSubscribe(ref reader, out packet);
            case MqttPacketType.Unsubscribe when flags == 0b0010:
                return ReadUnsubscribe(ref reader, out packet);
            case MqttPacketType.PingReq when flags == 0 && body.Length == 0:
                packet = PingReqPacket.Instance;
                return MqttDecodeStatus.Packet;
            case MqttPacketType.Disconnect when flags == 0 && body.Length == 0:
                packet = DisconnectPacket.Instance;
                return MqttDecodeStatus.Packet;
            case MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                return MqttDecodeStatus.Unsupported;
            default:
                return MqttDecodeStatus.Malformed;
        }
    }

    private static MqttDecodeStatus ReadConnect(ref SequenceReader<byte> reader, out MqttPacket? packet)
    {
        packet = null;
        if (!TryReadString(ref reader, out var protocol) || !reader.TryRead(out var level) || !reader.TryRead(out var connectFlags)
            || !reader.TryReadBigEndian(out short keepAlive))
        {
            return MqttDecodeStatus.Malformed;
        }

        if ((connectFlags & 0x01) != 0)
        {
            return MqttDecodeStatus.Malformed; // §3.1.2.3: reserved flag must be zero.
        }

        var hasUser = (connectFlags & 0x80) != 0;
        var hasPassword = (connectFlags & 0x40) != 0;
        var hasWill = (connectFlags & 0x04) != 0;
        var willQos = (byte)((connectFlags >> 3) & 0x03);
        if ((!hasWill && (willQos != 0 || (connectFlags & 0x20) != 0)) || willQos > 2 || (hasPassword && !hasUser))
        {
            return MqttDecodeStatus.Malformed;
        }

        if (!TryReadString(ref reader, out var clientId))
        {
            return MqttDecodeStatus.Malformed;
        }

        string? willTopic = null, user = null, password = null;
        byte[]? willMessage = null;
        if (hasWill && (!TryReadString(ref reader, out willTopic) || !TryReadBinary(ref reader, out willMessage)))
        {
            return MqttDecodeStatus.Malformed;
        }

        if (hasUser && !TryReadString(ref reader, out user))
        {
            return MqttDecodeStatus.Malformed;
        }

        if (hasPassword && !TryReadUtf8(ref reader, out password))
        {
            return MqttDecodeStatus.Malformed;
        }

        if (reader.Remaining != 0)
        {
            return MqttDecodeStatus.Malformed;
        }

        packet = new ConnectPacket(protocol!, level, clientId!, (connectFlags & 0x02) != 0, (ushort)keepAlive, user, password, willTopic, willMessage, willQos);
        return MqttDecodeStatus.Packet;
    }

    private static MqttDecodeStatus ReadPublish(ref SequenceReader<byte> reader, byte flags, out MqttPacket? packet)
    {
        packet = null;
        var qos = (byte)((flags >> 1) & 0x03);
        if (qos == 3)
        {
            return MqttDecodeStatus.Malformed;
        }

        if (qos == 2)
        {
            return MqttDecodeStatus.Unsupported; // IoT Hub closes the connection on QoS 2 (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": QoS 2 is not supported).
        }

        if (!TryReadString(ref reader, out var topic) || topic!.Length == 0 || topic.Contains('+') || topic.Contains('#'))
        {
            return MqttDecodeStatus.Malformed;
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            if (!reader.TryReadBigEndian(out short id) || id == 0)
            {
                return MqttDecodeStatus.Malformed;
            }

            packetId = (ushort)id;
        }

        var payload = reader.UnreadSequence.ToArray();
        packet = new PublishPacket(topic, qos, (flags & 0x08) != 0, (flags & 0x01) != 0, packetId, payload);
        return MqttDecodeStatus.Packet;
    }

    private static MqttDecodeStatus ReadSubscribe(ref SequenceReader<byte> reader, out MqttPacket? packet)
    {
        packet = null;
        if (!reader.TryReadBigEndian(out short id) || id == 0)
        {
            return MqttDecodeStatus.Malformed;
        }

        var filters = new List<(string, byte)>();
        while (reader.Remaining > 0)
        {
            if (!TryReadString(ref reader, out var filter) || filter!.Length == 0 || !reader.TryRead(out var qos) || (qos & 0xFC) != 0)
            {
                return MqttDecodeStatus.Malformed;
            }

            filters.Add((filter, qos));
        }

        if (filters.Count == 0)
        {
            return MqttDecodeStatus.Malformed; // §3.8.3: at least one filter.
        }

        packet = new SubscribePacket((ushort)id, filters);
        return MqttDecodeStatus.Packet;
    }

    private static MqttDecodeStatus ReadUnsubscribe(ref SequenceReader<byte> reader, out MqttPacket? packet)
    {
        packet = null;
        if (!reader.TryReadBigEndian(out short id) || id == 0)
        {
            return MqttDecodeStatus.Malformed;
        }

        var filters = new List<string>();
        while (reader.Remaining > 0)
        {
            if (!TryReadString(ref reader, out var filter) || filter!.Length == 0)
            {
                return MqttDecodeStatus.Malformed;
            }

            filters.Add(filter);
        }

        if (filters.Count == 0)
        {
            return MqttDecodeStatus.Malformed;
        }

        packet = new UnsubscribePacket((ushort)id, filters);
        return MqttDecodeStatus.Packet;
    }

    /// <summary>A UTF-8 string (§1.5.3): well-formed, without U+0000.</summary>
    private static bool TryReadString(ref SequenceReader<byte> reader, out string? value) =>
        TryReadUtf8(ref reader, out value) && !value!.Contains('\0');

    /// <summary>Length-prefixed well-formed UTF-8, decoded straight from the receive buffer (no copy of its bytes first).</summary>
    private static bool TryReadUtf8(ref SequenceReader<byte> reader, out string? value)
    {
        value = null;
        if (!reader.TryReadBigEndian(out short length) || reader.Remaining < (ushort)length)
        {
            return false;
        }

        var bytes = reader.UnreadSequence.Slice(0, (ushort)length);
        try
        {
            value = bytes.IsSingleSegment ? StrictUtf8.GetString(bytes.FirstSpan) : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        reader.Advance((ushort)length);
        return true;
    }

    private static bool TryReadBinary(ref SequenceReader<byte> reader, out byte[]? value)
    {
        value = null;
        if (!reader.TryReadBigEndian(out short length) || reader.Remaining < (ushort)length)
        {
            return false;
        }

        value = reader.UnreadSequence.Slice(0, (ushort)length).ToArray();
        reader.Advance((ushort)length);
        return true;
    }
}
