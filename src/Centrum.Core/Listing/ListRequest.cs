namespace Centrum.Listing;

/// <summary>
/// What a caller asked of a list, as written: IoT Central's <c>filter</c> and <c>orderby</c> (null or empty when not
/// given) and where the previous page ended (the decoded skip token, null for the first page).
/// </summary>
public sealed record ListRequest(string? Filter, string? OrderBy, string? After);
