namespace Centrum.Storage.Entities;

/// <summary>A cloud-to-device message waiting in a device's durable queue until the device acknowledges it.</summary>
public sealed class CloudToDeviceMessageEntity
{
    public long Id { get; set; }

    public required string ApplicationId { get; set; }

    public required string DeviceId { get; set; }

    public required string MessageId { get; set; }

    public string? CorrelationId { get; set; }

    public string? ContentType { get; set; }

    public string? ContentEncoding { get; set; }

    /// <summary>Application properties, JSON object.</summary>
    public string Properties { get; set; } = "{}";

    public byte[] Body { get; set; } = [];

    public DateTimeOffset EnqueuedTime { get; set; }

    public DateTimeOffset ExpiryTime { get; set; }

    public int DeliveryCount { get; set; }
}
