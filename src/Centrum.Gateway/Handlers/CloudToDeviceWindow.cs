namespace Centrum.Gateway.Handlers;

/// <summary>
/// The cloud-to-device messages sent to one connection and not yet acknowledged, by MQTT packet id. Packet ids are
/// 1…65535 (MQTT 3.1.1 §2.3.1) and one in use is never handed out again until its PUBACK frees it (§4.3.2).
/// </summary>
internal sealed class CloudToDeviceWindow(int size)
{
    private readonly Dictionary<ushort, long> _inFlight = [];
    private readonly Lock _lock = new();
    /// <summary>Ids run 2, 3…65535, 1, 2…: any order is valid (§2.3.1); this one keeps the packets on the wire as they were.</summary>
    private int _lastPacketId = 1;

    /// <summary>How many more messages may be sent before an acknowledgement frees a place.</summary>
    public int Room
    {
        get
        {
            lock (_lock)
            {
                return size - _inFlight.Count;
            }
        }
    }

    /// <summary>Takes a packet id for message <paramref name="messageId"/>.</summary>
    public ushort Send(long messageId)
    {
        lock (_lock)
        {
            while (true)
            {
                _lastPacketId = _lastPacketId % ushort.MaxValue + 1;
                var packetId = (ushort)_lastPacketId;
                if (_inFlight.TryAdd(packetId, messageId))
                {
                    return packetId;
                }
            }
        }
    }

    /// <summary>The device acknowledged <paramref name="packetId"/>: the message it carried, or null if none was in flight under it.</summary>
    public long? Acknowledge(ushort packetId)
    {
        lock (_lock)
        {
            return _inFlight.Remove(packetId, out var messageId) ? messageId : null;
        }
    }

    /// <summary>The messages in flight now.</summary>
    public IReadOnlyList<long> InFlight()
    {
        lock (_lock)
        {
            return [.. _inFlight.Values];
        }
    }
}
