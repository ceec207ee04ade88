namespace Centrum.Storage.Entities;

/// <summary>A continuous data export (IoT Central's <c>Export</c>): what to send (source, filter, enrichments) and where.</summary>
public sealed class DataExportEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public bool Enabled { get; set; }

    /// <summary><c>telemetry</c>, <c>properties</c>, <c>deviceLifecycle</c>, <c>deviceTemplateLifecycle</c>, <c>deviceConnectivity</c> or <c>audit</c>.</summary>
    public required string Source { get; set; }

    public string? Filter { get; set; }

    /// <summary>The enrichments map as JSON (no secrets: static values and property references).</summary>
    public string? Enrichments { get; set; }

    /// <summary>The destination references as JSON: <c>[{"id","transform"}]</c>.</summary>
    public required string Destinations { get; set; }

    /// <summary>Where a new destination's delivery begins: <c>now</c>, <c>earliest</c> or an ISO 8601 time (Centrum's own member).</summary>
    public required string Start { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
