using Centrum.Identity.ApiTokens;

namespace Centrum.Identity.Users;

/// <summary>IoT Central's <c>User</c>: a member of an application with role assignments.</summary>
public sealed record ApplicationUser(
    string Id, string Type, string? Email, string? TenantId, string? ObjectId, IReadOnlyList<RoleAssignment> Roles, string ETag);
