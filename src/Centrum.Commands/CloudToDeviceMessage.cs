namespace Centrum.Commands;

/// <summary>A cloud-to-device message as queued for a device.</summary>
public sealed record CloudToDeviceMessage(
    long Id, string DeviceId, string MessageId, string? CorrelationId, string? ContentType, string? ContentEncoding,
    IReadOnlyList<KeyValuePair<string, string>> Properties, byte[] Body, DateTimeOffset EnqueuedTime, DateTimeOffset ExpiryTime, int DeliveryCount);
