using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Centrum.Identity.Internal;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Identity.Authorization;

/// <summary>A role as the roles API shows it: predefined or the application's own, with what it grants.</summary>
public sealed record Role(string Id, string DisplayName, string Scope, IReadOnlyList<Permission> Permissions, bool BuiltIn, string? ETag);

/// <summary>
/// The one way in to roles: IoT Central's predefined roles and an application's custom roles, built from the same
/// permissions. Permissions are resolved on every request, so changing or deleting a role takes effect at once.
/// </summary>
public sealed partial class RoleCatalog(IDbContextFactory<CentrumDbContext> contexts, ILogger<RoleCatalog> logger)
{
    public const string ApplicationScope = "application";
    public const string OrganizationScope = "organization";

    /// <summary>The longest role name accepted, as for organizations and the other named resources of the REST API.</summary>
    public const int MaxDisplayNameLength = 200;

    public static string Name(Permission permission) => JsonNamingPolicy.CamelCase.ConvertName(permission.ToString());

    public static Permission? Parse(string name) =>
        Enum.GetValues<Permission>().Select(p => (Permission?)p).FirstOrDefault(p => Name(p!.Value) == name);

    public async Task<IReadOnlyList<Role>> ListAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var custom = await db.CustomRoles.AsNoTracking().Where(r => r.ApplicationId == applicationId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return BuiltInRoles.All.Concat(custom.Select(ToModel)).ToList();
    }

    public async Task<Role?> GetAsync(string applicationId, string roleId, CancellationToken cancellationToken)
    {
        if (BuiltInRoles.All.FirstOrDefault(r => r.Id == roleId) is { } builtIn)
        {
            return builtIn;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.CustomRoles.AsNoTracking().FirstOrDefaultAsync(r => r.ApplicationId == applicationId && r.Id == roleId, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>Whether <paramref name="roleId"/> grants <paramref name="permission"/> in the application (false for unknown roles).</summary>
    public async Task<bool> GrantsAsync(string applicationId, string roleId, Permission permission, CancellationToken cancellationToken)
    {
        if (BuiltInRoles.IsBuiltIn(roleId))
        {
            return BuiltInRoles.RoleGrants(roleId, permission);
        }

        return (await GetAsync(applicationId, roleId, cancellationToken))?.Permissions.Contains(permission) == true;
    }

    /// <summary>
    /// Why <paramref name="holder"/> may not make (or change, or remove) these role assignments: the permission that
    /// manages them (<paramref name="manage"/>) must reach as far as each assignment does, and each assigned role's
    /// permissions must be within the holder's own as far as the assignment reaches. Unknown roles are left to the
    /// caller's own validation.
    /// </summary>
    public async Task<string?> RefuseAssignmentsAsync(
        string applicationId, CallerHoldings holder, Permission manage, IEnumerable<ApiTokens.RoleAssignment> assignments, CancellationToken cancellationToken)
    {
        foreach (var assignment in assignments)
        {
            if (holder.RefuseReach(manage, assignment.Organization) is { } outside)
            {
                return outside;
            }

            if (await GetAsync(applicationId, assignment.Role, cancellationToken) is { } role
                && holder.RefuseGrant(role.Permissions, assignment.Organization) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>
    /// Creates or replaces a custom role. A role may be assigned anywhere, so the caller must hold every permission it
    /// will grant application-wide, and every permission it grants now (a caller cannot extend a role it holds, nor
    /// strip one made of more than it holds).
    /// </summary>
    public async Task<Outcome<Role>> SaveAsync(
        string applicationId, string roleId, string displayName, string scope, IReadOnlyList<Permission> permissions, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (!IdRegex().IsMatch(roleId))
        {
            return Problem.Invalid("Role ids have 1 to 64 letters, digits and '-'.");
        }

        if (displayName.Length is 0 or > MaxDisplayNameLength)
        {
            return Problem.Invalid($"displayName: 1 to {MaxDisplayNameLength} characters.");
        }

        if (scope is not (ApplicationScope or OrganizationScope))
        {
            return Problem.Invalid("scope: 'application' or 'organization'.");
        }

        if (BuiltInRoles.IsBuiltIn(roleId))
        {
            return Problem.Invalid("The predefined roles cannot be changed.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.CustomRoles.FirstOrDefaultAsync(r => r.ApplicationId == applicationId && r.Id == roleId, cancellationToken);
        var current = entity is null ? [] : ToModel(entity).Permissions;
        if ((holder.RefuseReach(Permission.RolesManage, organization: null) ?? holder.RefuseGrant(current.Concat(permissions), organization: null)) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"save role {roleId}", refused);
            return Problem.Forbidden(refused);
        }

        if (entity is null)
        {
            entity = new CustomRoleEntity { ApplicationId = applicationId, Id = roleId, DisplayName = "", Scope = scope, Permissions = "[]", ETag = "" };
            db.CustomRoles.Add(entity);
        }

        entity.DisplayName = displayName;
        entity.Scope = scope;
        entity.Permissions = JsonSerializer.Serialize(permissions.Distinct().Select(Name));
        entity.ETag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await db.SaveChangesAsync(cancellationToken);
        var saved = ToModel(entity);
        Log.RoleSaved(logger, applicationId, roleId, scope, string.Join(", ", saved.Permissions.Select(Name)));
        return saved;
    }

    /// <summary>
    /// Deletes a custom role nobody holds (API tokens and users name roles by id), if the caller holds what it grants;
    /// answers the role deleted.
    /// </summary>
    public async Task<Outcome<Role>> DeleteAsync(string applicationId, string roleId, CallerHoldings holder, CancellationToken cancellationToken)
    {
        var role = await GetAsync(applicationId, roleId, cancellationToken);
        if (role is { BuiltIn: false }
            && (holder.RefuseReach(Permission.RolesManage, organization: null) ?? holder.RefuseGrant(role.Permissions, organization: null)) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"delete role {roleId}", refused);
            return Problem.Forbidden(refused);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var quoted = JsonSerializer.Serialize(roleId);
        if (await db.ApiTokens.AnyAsync(t => t.ApplicationId == applicationId && t.Roles.Contains(quoted), cancellationToken)
            || await db.ApplicationUsers.AnyAsync(u => u.ApplicationId == applicationId && u.Roles.Contains(quoted), cancellationToken))
        {
            return Problem.Conflict("API tokens or users hold this role; assign them another role first.");
        }

        if (role is not { BuiltIn: false }
            || await db.CustomRoles.Where(r => r.ApplicationId == applicationId && r.Id == roleId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound(roleId);
        }

        Log.RoleDeleted(logger, applicationId, roleId);
        return role;
    }

    public static Problem NotFound(string roleId) => Problem.NotFound($"Role '{roleId}' was not found.");

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex IdRegex();

    private static Role ToModel(CustomRoleEntity e) => new(
        e.Id, e.DisplayName, e.Scope,
        (JsonSerializer.Deserialize<List<string>>(e.Permissions) ?? []).Select(Parse).OfType<Permission>().ToList(), BuiltIn: false, e.ETag);
}
