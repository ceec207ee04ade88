namespace Centrum.Identity.ApiTokens;

/// <summary>IoT Central's <c>RoleAssignment</c>: a role, optionally within an organization.</summary>
public sealed record RoleAssignment(string Role, string? Organization = null);
