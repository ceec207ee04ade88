using System.Buffers;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Tests.Handlers;

/// <summary>Reads what a handler queued for the device as the device would receive it: encoded, then decoded.</summary>
internal static class OutboundFrames
{
    public static List<Outbound> Drain(OutboundQueue queue)
    {
        var items = new List<Outbound>();
        while (queue.Reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    public static PublishPacket Publish(Outbound item)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.NotNull(item.Encode);
        item.Encode(writer);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.Equal(MqttDecodeStatus.Packet, MqttDecoder.TryRead(ref buffer, int.MaxValue, out var packet));
        Assert.True(buffer.IsEmpty, "one frame, nothing after it");
        return Assert.IsType<PublishPacket>(packet);
    }
}
