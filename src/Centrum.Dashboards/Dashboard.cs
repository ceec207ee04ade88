namespace Centrum.Dashboards;

/// <summary>
/// A dashboard as the dashboards area holds it (IoT Central's <c>Dashboard</c>, REST API 2022-10-31-preview). A personal
/// dashboard is seen by its owner only and belongs to no organization; an application dashboard is seen by callers
/// whose reach includes one of its organizations (or application-wide callers when it names none).
/// </summary>
public sealed record Dashboard(
    string Id, string DisplayName, IReadOnlyList<Tile> Tiles, bool Personal, bool Favorite, IReadOnlyList<string> Organizations, string ETag);

/// <summary>
/// The writable part of a dashboard. <see cref="Personal"/> is chosen when the dashboard is created and never changes;
/// a tile without an id is given one when written.
/// </summary>
public sealed record DashboardWrite(string? DisplayName, IReadOnlyList<Tile> Tiles, bool Personal, bool Favorite, IReadOnlyList<string> Organizations);

public sealed record DashboardPage(IReadOnlyList<Dashboard> Dashboards, string? ContinueAfter);
