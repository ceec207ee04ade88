namespace Centrum.Telemetry.Internal;

/// <summary>
/// The de-duplication window: messages stored recently, by (device, message id), with a hash of their content and
/// their enqueued time. A message is a re-send only when all three match (see <see cref="IsResend"/>). Bounded by
/// count and by age; entries leave in insertion order.
/// </summary>
internal sealed class RecentMessageIds(int capacity, TimeSpan period)
{
    private readonly Dictionary<(string Device, string MessageId), (UInt128 Content, DateTimeOffset Time)> _seen = [];
    private readonly Queue<((string Device, string MessageId) Key, DateTimeOffset Time)> _order = new();

    public int Count => _seen.Count;

    /// <summary>
    /// Whether a message is a re-send of one already stored. IoT Hub delivers device-to-cloud messages at least once
    /// and does not drop a message because its id was used before; MQTT 3.1.1 §4.3.2 makes a QoS 1 receiver treat a
    /// PUBLISH as a new publication once it has sent the PUBACK, whatever its DUP flag. What a device legitimately sends
    /// twice is a message whose PUBACK it never received (the server stopped after the commit): the SDK re-sends the
    /// same message, byte for byte, within its retry time, possibly on a new connection with a new packet identifier,
    /// so neither the connection nor the packet identifier can recognize it. A device that rebooted and restarted its
    /// message counter reuses ids with other content (readings, creation time), and those messages are all stored.
    /// </summary>
    public bool IsResend(string device, string messageId, UInt128 content, DateTimeOffset time) =>
        _seen.TryGetValue((device, messageId), out var seen) && seen.Content == content && (time - seen.Time).Duration() <= period;

    public void Add(string device, string messageId, UInt128 content, DateTimeOffset time)
    {
        if (capacity == 0)
        {
            return;
        }

        var key = (device, messageId);
        _seen[key] = (content, time);
        _order.Enqueue((key, time));
        while (_order.Count > 0 && (_order.Count > capacity || time - _order.Peek().Time > period))
        {
            var (oldKey, oldTime) = _order.Dequeue();
            if (_seen.TryGetValue(oldKey, out var current) && current.Time == oldTime)
            {
                _seen.Remove(oldKey);
            }
        }
    }
}
