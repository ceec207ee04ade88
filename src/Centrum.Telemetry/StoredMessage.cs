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
    byte[] Body);
