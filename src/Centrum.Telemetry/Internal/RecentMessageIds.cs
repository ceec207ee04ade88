namespace Centrum.Telemetry.Internal;

/// <summary>A bounded, insertion-ordered set of (device, message id) pairs: the de-duplication window.</summary>
internal sealed class RecentMessageIds(int capacity)
{
    private readonly HashSet<(string Device, string MessageId)> _set = [];
    private readonly Queue<(string Device, string MessageId)> _order = new();

    public int Count => _set.Count;

    public bool Contains(string device, string messageId) => _set.Contains((device, messageId));

    public void Add(string device, string messageId)
    {
        if (capacity == 0 || !_set.Add((device, messageId)))
        {
            return;
        }

        _order.Enqueue((device, messageId));
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }
    }
}
