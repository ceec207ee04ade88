namespace Centrum.Telemetry;

/// <summary>A device-to-cloud message as the gateway accepted it, before it is stored.</summary>
public sealed class TelemetryMessage
{
    public required string ApplicationId { get; init; }

    public required string DeviceId { get; init; }

    public string? ModuleId { get; init; }

    /// <summary>The Plug and Play component (<c>$.sub</c>), null for the root component.</summary>
    public string? Component { get; init; }

    public string? MessageId { get; init; }

    public string? CorrelationId { get; init; }

    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    /// <summary>Device-side creation time (<c>iothub-creation-time-utc</c> or <c>$.ctime</c>).</summary>
    public DateTimeOffset? CreationTime { get; init; }

    /// <summary>Application properties, in the order they arrived.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Properties { get; init; } = [];

    public ReadOnlyMemory<byte> Body { get; init; }

    public DateTimeOffset EnqueuedTime { get; init; }
}
