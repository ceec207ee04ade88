namespace Centrum.Storage.Entities;

/// <summary>
/// The dashboard one member marked as its favorite, the one its home page shows: one per member and application, kept
/// apart from the dashboard so that each member chooses its own, whoever else sees the same dashboard.
/// </summary>
public sealed class DashboardFavoriteEntity
{
    public required string ApplicationId { get; set; }

    /// <summary>The member, as the head names its caller (a user's email, an API token's id).</summary>
    public required string Member { get; set; }

    public required string DashboardId { get; set; }
}
