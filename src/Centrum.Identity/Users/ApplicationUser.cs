using Centrum.Identity.ApiTokens;

namespace Centrum.Identity.Users;

/// <summary>IoT Central's <c>User</c>: a member of an application with role assignments.</summary>
public sealed record ApplicationUser(
    string Id, string Type, string? Email, string? TenantId, string? ObjectId, IReadOnlyList<RoleAssignment> Roles, string ETag);

public enum UserWriteOutcome
{
    Saved,
    NotFound,
    ETagMismatch,
    Invalid,
    Conflict,

    /// <summary>The write would grant, change or remove more than the caller holds; nothing changed.</summary>
    Forbidden,
}
