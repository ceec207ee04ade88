
namespace Centrum.IotHub.Connections;

/// <summary>
/// A session's subscriptions, read from any thread (a desired patch, a method call, the cloud-to-device pump) and
/// replaced whole by the read loop on SUBSCRIBE and UNSUBSCRIBE.
/// </summary>
internal sealed class Subscriptions
{
    private readonly Lock _lock = new();
    private Dictionary<string, byte> _filters = new(StringComparer.Ordinal);

    /// <summary>A copy to change and then <see cref="Replace"/>.</summary>
    public Dictionary<string, byte> Copy()
    {
        lock (_lock)
        {
            return new Dictionary<string, byte>(_filters, StringComparer.Ordinal);
        }
    }

    public void Replace(Dictionary<string, byte> filters)
    {
        lock (_lock)
        {
            _filters = filters;
        }
    }

    /// <summary>Whether the session holds a filter covering <paramref name="topic"/>.</summary>
    public bool Covers(string topic)
    {
        lock (_lock)
        {
            return _filters.Keys.Any(f => IotHubTopics.Matches(f, topic));
        }
    }
}
