namespace Centrum.Storage.Entities;

public sealed class ApplicationEntity
{
    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public required string HubHostName { get; set; }

    public required string IdScope { get; set; }

    public bool Suspended { get; set; }

    /// <summary>Devices provisioning for the first time are created approved (IoT Central's default).</summary>
    public bool AutoApprove { get; set; } = true;

    /// <summary>How long this application's telemetry is kept; null means the server's default.</summary>
    public TimeSpan? TelemetryRetention { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
