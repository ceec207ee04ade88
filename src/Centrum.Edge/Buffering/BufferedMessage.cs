namespace Centrum.Edge.Buffering;

/// <summary>A stored message as an endpoint's delivery reads it: its place in the store's order, when it came, and the message.</summary>
public sealed record BufferedMessage(long Sequence, string Endpoint, DateTimeOffset EnqueuedTime, EdgeMessage Message);
