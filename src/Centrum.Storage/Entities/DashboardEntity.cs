namespace Centrum.Storage.Entities;

/// <summary>
/// A dashboard (IoT Central's <c>Dashboard</c>, REST API 2022-10-31-preview): its tiles as one JSON document, and
/// either the organizations it belongs to (an application dashboard) or the member who owns it (a personal one).
/// </summary>
public sealed class DashboardEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>Seen only by <see cref="Owner"/>; an application dashboard has no owner.</summary>
    public bool Personal { get; set; }

    /// <summary>The member a personal dashboard belongs to, as the head names its caller (a user's email, an API token's id).</summary>
    public string? Owner { get; set; }

    public bool Favorite { get; set; }

    /// <summary>The tiles, a JSON array in IoT Central's <c>Tile</c> shape with each tile's id, validated before it is stored.</summary>
    public string Tiles { get; set; } = "[]";

    /// <summary>Organization ids, JSON array.</summary>
    public string Organizations { get; set; } = "[]";

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
