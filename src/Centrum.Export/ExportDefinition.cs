using System.Text.Json.Nodes;

namespace Centrum.Export;

/// <summary>A continuous data export as stored (IoT Central's <c>Export</c> without its runtime status).</summary>
public sealed record ExportDefinition(
    string Id,
    string DisplayName,
    bool Enabled,
    string Source,
    string? Filter,
    JsonObject? Enrichments,
    IReadOnlyList<DestinationReference> Destinations,
    string Start,
    string ETag);

/// <summary>An export's use of a destination, with the jq transform applied to messages on their way there.</summary>
public sealed record DestinationReference(string Id, string? Transform);

/// <summary>A destination as stored: <see cref="Definition"/> is the whole body, secrets included (encrypted at rest).</summary>
public sealed record DestinationDefinition(string Id, string DisplayName, string Type, JsonObject Definition, string ETag);
