namespace Centrum.Dashboards;

/// <summary>
/// A saved data-explorer query as the dashboards area holds it. IoT Central keeps explorer queries per application and
/// per person, and its <c>dataExplorer</c> tile names one by id (REST API 2022-10-31-preview,
/// <c>DataExplorerTileConfiguration.query</c>); IoT Central publishes no REST operation for them, so only the pages
/// reach them, through <see cref="SavedQueryService"/>. Personal and application scope follow dashboards: a personal
/// query is its owner's alone and in no organization; an application query is seen within the caller's reach.
/// </summary>
public sealed record SavedQuery(string Id, string DisplayName, SavedQueryDefinition Query, bool Personal, IReadOnlyList<string> Organizations, string ETag);

/// <summary>What the caller writes when saving a query; the id is the area's to assign.</summary>
public sealed record SavedQueryWrite(string? DisplayName, SavedQueryDefinition? Query, bool Personal, IReadOnlyList<string> Organizations);

/// <summary>
/// The explorer's query: a device template (narrowed to a device group's members when one is named), telemetry with an
/// aggregation each, an optional group-by window, and a time range, relative (<see cref="Duration"/>, "the last 7
/// days") or absolute (<see cref="From"/>–<see cref="To"/>). Durations and windows are ISO 8601, as IoT Central's
/// query language writes them.
/// </summary>
public sealed record SavedQueryDefinition(
    string? Template, string? Group, IReadOnlyList<SavedQueryField>? Fields, string? Window, string? Duration, DateTimeOffset? From, DateTimeOffset? To, int? Top);

/// <summary>One telemetry field of the template: its component (null at the root), its name and its aggregation (<see cref="SavedQueryService.Aggregates"/>).</summary>
public sealed record SavedQueryField(string? Component, string? Name, string? Aggregate);
