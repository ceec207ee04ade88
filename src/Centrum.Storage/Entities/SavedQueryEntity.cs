namespace Centrum.Storage.Entities;

/// <summary>
/// A saved data-explorer query (IoT Central keeps explorer queries per application and per person; a
/// <c>dataExplorer</c> tile names one by id, REST API 2022-10-31-preview <c>DataExplorerTileConfiguration.query</c>):
/// its definition as one JSON document, and either the organizations it belongs to (an application query) or the
/// member who owns it (a personal one), as dashboards.
/// </summary>
public sealed class SavedQueryEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>Seen only by <see cref="Owner"/>; an application query has no owner.</summary>
    public bool Personal { get; set; }

    /// <summary>The member a personal query belongs to, as the head names its caller (a user's email, an API token's id).</summary>
    public string? Owner { get; set; }

    /// <summary>The explorer's query (template or group, telemetry and aggregation, window, time range), a JSON object validated before it is stored.</summary>
    public string Definition { get; set; } = "{}";

    /// <summary>Organization ids, JSON array.</summary>
    public string Organizations { get; set; } = "[]";

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
