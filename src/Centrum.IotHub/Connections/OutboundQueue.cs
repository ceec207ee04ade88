using System.Threading.Channels;
using Centrum.IotHub.Mqtt;
using Centrum.Queues;

namespace Centrum.IotHub.Connections;

/// <summary>
/// What a connection sends, in order, bounded by count (<see cref="MqttConnectionLimits.OutboundQueueCapacity"/>) and, for
/// PUBLISHes to the device, by bytes (<see cref="MqttConnectionLimits.OutboundQueueBytes"/>). The connection's write loop is
/// its only reader; the read loop and the handlers write.
/// </summary>
internal sealed class OutboundQueue(int capacity, long bytes)
{
    private readonly Channel<Outbound> _channel = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly ByteBudget _bytes = new(bytes);

    public ChannelReader<Outbound> Reader => _channel.Reader;

    /// <summary>Queues a control frame or a PUBACK, waiting for room by count.</summary>
    public ValueTask WriteAsync(Outbound item, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Queues the PUBACK of a request (twin, method answer, DPS) published at QoS 1.</summary>
    public ValueTask PubAckAsync(ushort packetId, CancellationToken cancellationToken) =>
        WriteAsync(Outbound.Frame(w => MqttEncoder.PubAck(w, packetId)), cancellationToken);

    /// <summary>
    /// Queues a PUBLISH that answers the device, waiting for room by count and by bytes, so a device that does not read
    /// stops being read (back-pressure on its own requests).
    /// </summary>
    public async ValueTask EnqueueAsync(Outbound item, CancellationToken cancellationToken)
    {
        await _bytes.TakeAsync(item.Size, cancellationToken);
        try
        {
            await _channel.Writer.WriteAsync(item, cancellationToken);
        }
        catch
        {
            _bytes.Return(item.Size);
            throw;
        }
    }

    /// <summary>Queues a PUBLISH the server starts (a desired patch, a method request) only if it fits now.</summary>
    public bool TryEnqueue(Outbound item)
    {
        if (!_bytes.TryTake(item.Size))
        {
            return false;
        }

        if (_channel.Writer.TryWrite(item))
        {
            return true;
        }

        _bytes.Return(item.Size);
        return false;
    }

    /// <summary>The write loop has sent <paramref name="item"/>: its bytes are free again.</summary>
    public void Sent(in Outbound item)
    {
        if (item.Size > 0)
        {
            _bytes.Return(item.Size);
        }
    }

    /// <summary>Nothing more is queued; the write loop sends what is left and ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
