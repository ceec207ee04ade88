namespace Centrum.Gateway.Handlers;

/// <summary>What became of a desired-properties patch pushed to a connection.</summary>
internal enum DesiredPush
{
    Queued,
    NotSubscribed,
    QueueFull,
}
