namespace Centrum.Identity.ApiTokens;

/// <summary>An API token's metadata; <see cref="Token"/> is set only in the answer to its creation.</summary>
public sealed record ApiToken(string Id, IReadOnlyList<RoleAssignment> Roles, DateTimeOffset Expiry, string? Token = null);
