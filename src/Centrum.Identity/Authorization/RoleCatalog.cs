using System.Security.Cryptography;
using System.Text.Json;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Identity.Authorization;

/// <summary>A role as the roles API shows it: predefined or the application's own, with what it grants.</summary>
public sealed record Role(string Id, string DisplayName, string Scope, IReadOnlyList<Permission> Permissions, bool BuiltIn, string? ETag);

/// <summary>
/// The one way in to roles: IoT Central's predefined roles and an application's custom roles, built from the same
/// permissions. Permissions are resolved on every request, so changing or deleting a role takes effect at once.
/// </summary>
public sealed class RoleCatalog(IDbContextFactory<CentrumDbContext> contexts)
{
    public const string ApplicationScope = "application";
    public const string OrganizationScope = "organization";

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

    public async Task<(Role? Role, string? Error)> SaveAsync(
        string applicationId, string roleId, string displayName, string scope, IReadOnlyList<Permission> permissions, CancellationToken cancellationToken)
    {
        if (BuiltInRoles.IsBuiltIn(roleId))
        {
            return (null, "The predefined roles cannot be changed.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.CustomRoles.FirstOrDefaultAsync(r => r.ApplicationId == applicationId && r.Id == roleId, cancellationToken);
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
        return (ToModel(entity), null);
    }

    /// <summary>Deletes a custom role nobody holds (API tokens and users name roles by id).</summary>
    public async Task<(bool Deleted, string? Conflict)> DeleteAsync(string applicationId, string roleId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var quoted = JsonSerializer.Serialize(roleId);
        if (await db.ApiTokens.AnyAsync(t => t.ApplicationId == applicationId && t.Roles.Contains(quoted), cancellationToken)
            || await db.ApplicationUsers.AnyAsync(u => u.ApplicationId == applicationId && u.Roles.Contains(quoted), cancellationToken))
        {
            return (false, "API tokens or users hold this role; assign them another role first.");
        }

        return (await db.CustomRoles.Where(r => r.ApplicationId == applicationId && r.Id == roleId).ExecuteDeleteAsync(cancellationToken) > 0, null);
    }

    private static Role ToModel(CustomRoleEntity e) => new(
        e.Id, e.DisplayName, e.Scope,
        (JsonSerializer.Deserialize<List<string>>(e.Permissions) ?? []).Select(Parse).OfType<Permission>().ToList(), BuiltIn: false, e.ETag);
}
