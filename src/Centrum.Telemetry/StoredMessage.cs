namespace Centrum.Telemetry;

/// <summary>A message as the telemetry store keeps it, read back in sequence order (for exports).</summary>
public sealed record StoredMessage(
    long Sequence,
    DateTimeOffset EnqueuedTime,
    string DeviceId,
    string? ModuleId,
    string? Component,
    string? MessageId,
    string? ContentType,
    string? ContentEncoding,
    string PropertiesJson,
    byte[] Body)
{
    /// <summary>The W3C <c>traceparent</c> of the message's commit span; null when the message was not traced.</summary>
    public string? TraceParent { get; init; }
}
