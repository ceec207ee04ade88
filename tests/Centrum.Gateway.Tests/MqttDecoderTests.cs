using System.Buffers;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Tests;

public sealed class MqttDecoderTests
{
    /// <summary>A Node SDK CONNECT: flags C0 (user name, password, clean session 0), keep-alive 180 (azure-iot-sdk-node; IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", CONNECT fields).</summary>
    private static byte[] NodeConnect()
    {
        var payload = new List<byte>();
        void Str(string s)
        {
            var b = System.Text.Encoding.UTF8.GetBytes(s);
            payload.Add((byte)(b.Length >> 8));
            payload.Add((byte)b.Length);
            payload.AddRange(b);
        }

        Str("MQTT");
        payload.AddRange(new byte[] { 4, 0xC0, 0x00, 0xB4 });
        Str("dev1");
        Str("hub/dev1/?api-version=2021-04-12");
        Str("SharedAccessSignature sr=x&sig=y&se=1");
        return [0x10, (byte)payload.Count, .. payload];
    }

    [Fact]
    public void Reads_a_CONNECT_as_the_Node_SDK_sends_it()
    {
        var buffer = new ReadOnlySequence<byte>(NodeConnect());
        Assert.Equal(MqttDecodeStatus.Packet, MqttDecoder.TryRead(ref buffer, 1024, out var packet));
        var connect = Assert.IsType<ConnectPacket>(packet);
        Assert.Equal(("MQTT", (byte)4, "dev1", false, (ushort)180), (connect.ProtocolName, connect.ProtocolLevel, connect.ClientId, connect.CleanSession, connect.KeepAliveSeconds));
        Assert.Equal("hub/dev1/?api-version=2021-04-12", connect.UserName);
        Assert.Equal("SharedAccessSignature sr=x&sig=y&se=1", connect.Password);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Reads_packets_split_across_segments_and_waits_for_the_rest()
    {
        var bytes = NodeConnect();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(bytes.AsMemory(0, cut));
            Assert.Equal(MqttDecodeStatus.Incomplete, MqttDecoder.TryRead(ref partial, 1024, out _));
        }

        var first = new Segment(bytes.AsMemory(0, 7));
        var last = first.Append(bytes.AsMemory(7));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(MqttDecodeStatus.Packet, MqttDecoder.TryRead(ref sequence, 1024, out var packet));
        Assert.IsType<ConnectPacket>(packet);
    }

    [Fact]
    public void Reads_a_QoS_1_PUBLISH_with_its_packet_id_and_payload()
    {
        byte[] bytes = [0x32, 0x0A, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x00, 0x07, (byte)'x', (byte)'y', (byte)'z'];
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(MqttDecodeStatus.Packet, MqttDecoder.TryRead(ref buffer, 1024, out var packet));
        var publish = Assert.IsType<PublishPacket>(packet);
        Assert.Equal(("a/b", (byte)1, (ushort)7), (publish.Topic, publish.Qos, publish.PacketId));
        Assert.Equal("xyz"u8.ToArray(), publish.Payload);
    }

    [Theory]
    [InlineData(new byte[] { 0x34, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01 }, "Unsupported")] // QoS 2
    [InlineData(new byte[] { 0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01 }, "Malformed")] // QoS 3
    [InlineData(new byte[] { 0x32, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x00 }, "Malformed")] // packet id 0
    [InlineData(new byte[] { 0x30, 0x03, 0x00, 0x01, (byte)'#' }, "Malformed")] // wildcard in a topic name
    [InlineData(new byte[] { 0x82, 0x02, 0x00, 0x01 }, "Malformed")] // SUBSCRIBE without filters
    [InlineData(new byte[] { 0x80, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00 }, "Malformed")] // SUBSCRIBE with wrong flags
    [InlineData(new byte[] { 0xC0, 0x01, 0x00 }, "Malformed")] // PINGREQ with a body
    [InlineData(new byte[] { 0xF0, 0x00 }, "Malformed")] // reserved type 15
    [InlineData(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "Malformed")] // five length bytes
    [InlineData(new byte[] { 0x30, 0x03, 0x00, 0x02, 0xC3 }, "Malformed")] // truncated UTF-8 inside
    public void Refuses_what_breaks_the_protocol(byte[] bytes, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(Enum.Parse<MqttDecodeStatus>(expected), MqttDecoder.TryRead(ref buffer, 1024, out _));
    }

    [Fact]
    public void Refuses_a_packet_larger_than_the_limit_before_reading_it()
    {
        byte[] header = [0x30, 0x80, 0x80, 0x10]; // 262144 bytes announced, none sent
        var buffer = new ReadOnlySequence<byte>(header);
        Assert.Equal(MqttDecodeStatus.TooLarge, MqttDecoder.TryRead(ref buffer, 1024, out _));
    }

    [Fact]
    public void Refuses_a_CONNECT_with_the_reserved_flag_or_a_password_without_user()
    {
        var reserved = NodeConnect();
        reserved[9] = 0xC1;
        var buffer = new ReadOnlySequence<byte>(reserved);
        Assert.Equal(MqttDecodeStatus.Malformed, MqttDecoder.TryRead(ref buffer, 1024, out _));

        var passwordOnly = NodeConnect();
        passwordOnly[9] = 0x40;
        buffer = new ReadOnlySequence<byte>(passwordOnly);
        Assert.Equal(MqttDecodeStatus.Malformed, MqttDecoder.TryRead(ref buffer, 1024, out _));
    }

    [Fact]
    public void Encodes_what_the_decoder_and_the_spec_expect()
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttEncoder.ConnAck(writer, sessionPresent: true, ConnectReturnCode.NotAuthorized);
        MqttEncoder.PubAck(writer, 0x1234);
        MqttEncoder.SubAck(writer, 9, [1, 0x80]);
        MqttEncoder.PingResp(writer);
        Assert.Equal(new byte[] { 0x20, 2, 1, 5, 0x40, 2, 0x12, 0x34, 0x90, 4, 0, 9, 1, 0x80, 0xD0, 0 }, writer.WrittenSpan.ToArray());

        var publish = new ArrayBufferWriter<byte>();
        MqttEncoder.Publish(publish, "t", new byte[200], qos: 1, packetId: 3, duplicate: true);
        var sequence = new ReadOnlySequence<byte>(publish.WrittenMemory);
        Assert.Equal(0x3A, publish.WrittenSpan[0]);
        Assert.Equal(MqttDecodeStatus.Packet, MqttDecoder.TryRead(ref sequence, 1024, out var decoded));
        var packet = Assert.IsType<PublishPacket>(decoded);
        Assert.Equal(("t", (byte)1, (ushort)3, true, 200), (packet.Topic, packet.Qos, packet.PacketId, packet.Duplicate, packet.Payload.Length));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
