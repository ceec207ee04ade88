namespace Centrum.Listing;

/// <summary>
/// What a caller asked of a list, as written: IoT Central's <c>filter</c> and <c>orderby</c> (null or empty when not
/// given) and where the previous page ended (the decoded skip token, null for the first page).
/// </summary>
public sealed record ListRequest(string? Filter, string? OrderBy, string? After)
{
    /// <summary>
    /// A condition another area already parsed and checked (a device group's query, pushed down to the device list),
    /// applied together with <see cref="Filter"/>; its fields are the list's own.
    /// </summary>
    public ListCondition? Condition { get; init; }
}
