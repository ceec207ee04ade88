using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text.Json;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Identity.Internal;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Identity.Users;

/// <summary>
/// The members of an application (IoT Central's users API) and the roles a signed-in account holds in it. Roles are
/// read on every request, so removing a member or a role takes effect on the caller's next request.
/// </summary>
public sealed partial class UserService(
    IDbContextFactory<CentrumDbContext> contexts, RoleCatalog roleCatalog, TimeProvider time, ILogger<UserService> logger, IEnumerable<IAreaData> areas)
{
    public const int MaxPageSize = 100;

    /// <summary>IoT Central's user ids: up to 128 characters.</summary>
    public const int MaxIdLength = 128;

    public static readonly IReadOnlyList<string> Types = ["email", "servicePrincipal", "adGroup"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Problem ETagMismatch = Problem.PreconditionFailed("The user's etag does not match; read it again.");

    public async Task<ApplicationUser?> GetAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApplicationUsers.AsNoTracking().FirstOrDefaultAsync(u => u.ApplicationId == applicationId && u.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    public async Task<(IReadOnlyList<ApplicationUser> Page, string? ContinueAfter)> ListAsync(string applicationId, string? after, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.ApplicationUsers.AsNoTracking().Where(u => u.ApplicationId == applicationId);
        if (after is not null)
        {
            query = query.Where(u => string.Compare(u.Id, after) > 0);
        }

        var rows = await query.OrderBy(u => u.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(ToModel).ToList();
        return (page, rows.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>
    /// Creates or replaces a member. An email belongs to one member of an application. The caller must hold what the
    /// member's roles grant, both the new ones and, when it replaces a member, the current ones: nobody promotes a member
    /// (themselves included) beyond their own holdings, nor takes over or demotes a member who holds more.
    /// </summary>
    public async Task<Outcome<ApplicationUser>> SaveAsync(
        string applicationId, string id, ApplicationUser write, string? ifMatch, CallerHoldings holder, CancellationToken cancellationToken)
    {
        var result = await SaveCoreAsync(applicationId, id, write, ifMatch, holder, cancellationToken);
        if (result.Succeeded)
        {
            Log.MemberSaved(logger, applicationId, id, write.Type, ApiTokenService.RoleList(write.Roles));
        }
        else if (result.Problem.Kind == ProblemKind.Forbidden)
        {
            Log.GrantRefused(logger, applicationId, $"save member {id}", result.Problem.Message);
        }

        return result;
    }

    private async Task<Outcome<ApplicationUser>> SaveCoreAsync(
        string applicationId, string id, ApplicationUser write, string? ifMatch, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (id.Length > MaxIdLength || !IdRegex().IsMatch(id))
        {
            return Problem.Invalid("User ids have 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        if (!Types.Contains(write.Type))
        {
            return Problem.Invalid($"type: required, one of {string.Join(", ", Types)}.");
        }

        if (write.Type == "email" ? write.Email is null || !EmailAddresses.IsValid(write.Email) : write.TenantId is null || write.ObjectId is null)
        {
            return Problem.Invalid(write.Type == "email"
                ? $"email: a valid email address of at most {EmailAddresses.MaxLength} characters is required for an email user."
                : "tenantId and objectId are required for service principals and groups.");
        }

        if (write.Roles.Count == 0)
        {
            return Problem.Invalid("roles: at least one role assignment is required.");
        }

        foreach (var role in write.Roles)
        {
            if (await roleCatalog.GetAsync(applicationId, role.Role, cancellationToken) is null)
            {
                return Problem.Invalid($"roles: the role '{role.Role}' does not exist.");
            }

            await using var check = await contexts.CreateDbContextAsync(cancellationToken);
            if (role.Organization is not null && !await check.Organizations.AnyAsync(o => o.ApplicationId == applicationId && o.Id == role.Organization, cancellationToken))
            {
                return Problem.Invalid($"roles: the organization '{role.Organization}' does not exist.");
            }
        }

        var email = write.Email?.Trim().ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApplicationUsers.FirstOrDefaultAsync(u => u.ApplicationId == applicationId && u.Id == id, cancellationToken);
        var current = entity is null ? [] : JsonSerializer.Deserialize<List<RoleAssignment>>(entity.Roles, Json) ?? [];
        if (await roleCatalog.RefuseAssignmentsAsync(applicationId, holder, Permission.UsersManage, current.Concat(write.Roles), cancellationToken) is { } refused)
        {
            return Problem.Forbidden(refused);
        }

        if (email is not null && await db.ApplicationUsers.AnyAsync(u => u.ApplicationId == applicationId && u.Email == email && u.Id != id, cancellationToken))
        {
            return Problem.Conflict($"Another user of the application has the email '{email}'.");
        }

        if (entity is null)
        {
            if (ifMatch is not null && ifMatch != "*")
            {
                return ETagMismatch;
            }

            entity = new ApplicationUserEntity { ApplicationId = applicationId, Id = id, Type = write.Type, Roles = "[]", ETag = "", CreatedAt = time.GetUtcNow() };
            db.ApplicationUsers.Add(entity);
        }
        else if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return ETagMismatch;
        }
        else if (entity.Type != write.Type)
        {
            return Problem.Invalid($"type: a user's type cannot change (it is {entity.Type}).");
        }

        entity.Email = email;
        entity.TenantId = write.TenantId;
        entity.ObjectId = write.ObjectId;
        entity.Roles = JsonSerializer.Serialize(write.Roles, Json);
        entity.ETag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await db.SaveChangesAsync(cancellationToken);
        return ToModel(entity);
    }

    /// <summary>
    /// Removes a member whose roles are within the caller's holdings; answers the member removed. What areas keep for
    /// that member alone (personal dashboards) goes in the same unit of work (<see cref="IAreaData.ReleaseMemberAsync"/>).
    /// </summary>
    public async Task<Outcome<ApplicationUser>> DeleteAsync(string applicationId, string id, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (await GetAsync(applicationId, id, cancellationToken) is not { } existing)
        {
            return NotFound(id);
        }

        if (await roleCatalog.RefuseAssignmentsAsync(applicationId, holder, Permission.UsersManage, existing.Roles, cancellationToken) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"remove member {id}", refused);
            return Problem.Forbidden(refused);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.ApplicationUsers.Where(u => u.ApplicationId == applicationId && u.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound(id);
        }

        // Another entry may name the same service principal; the member is gone only when none is left.
        if (MemberPolicy.UserMember(existing.Type, existing.Email, existing.ObjectId) is { } member
            && !await db.ApplicationUsers.AnyAsync(
                u => u.ApplicationId == applicationId && u.Type == existing.Type && (u.Type == "email" ? u.Email == existing.Email : u.ObjectId == existing.ObjectId),
                cancellationToken))
        {
            foreach (var area in areas)
            {
                await area.ReleaseMemberAsync(db, applicationId, member, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        Log.MemberRemoved(logger, applicationId, id);
        return existing;
    }

    public static Problem NotFound(string id) => Problem.NotFound($"User '{id}' was not found.");

    /// <summary>The roles the account with <paramref name="email"/> holds in the application (none when it is not a member).</summary>
    public async Task<IReadOnlyList<RoleAssignment>> RolesOfAsync(string applicationId, string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var roles = await db.ApplicationUsers.AsNoTracking()
            .Where(u => u.ApplicationId == applicationId && u.Type == "email" && u.Email == normalized)
            .Select(u => u.Roles).FirstOrDefaultAsync(cancellationToken);
        return roles is null ? [] : JsonSerializer.Deserialize<List<RoleAssignment>>(roles, Json) ?? [];
    }

    /// <summary>
    /// The applications the account with <paramref name="email"/> is a member of by email (not through a directory group,
    /// which only a provider's token names): what a person signed in to one of them may switch to.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplicationsOfAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApplicationUsers.AsNoTracking()
            .Where(u => u.Type == "email" && u.Email == normalized)
            .Select(u => u.ApplicationId).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
    }

    /// <summary>The roles of the service principal member with this object id (and tenant, when the member names one).</summary>
    public async Task<IReadOnlyList<RoleAssignment>> RolesOfServicePrincipalAsync(string applicationId, string objectId, string? tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var roles = await db.ApplicationUsers.AsNoTracking()
            .Where(u => u.ApplicationId == applicationId && u.Type == "servicePrincipal" && u.ObjectId == objectId && (u.TenantId == null || u.TenantId == tenantId))
            .Select(u => u.Roles).FirstOrDefaultAsync(cancellationToken);
        return roles is null ? [] : JsonSerializer.Deserialize<List<RoleAssignment>>(roles, Json) ?? [];
    }

    /// <summary>The roles of the directory-group members whose object ids the caller's token lists in its groups claim.</summary>
    public async Task<IReadOnlyList<RoleAssignment>> RolesOfGroupsAsync(string applicationId, IReadOnlyList<string> groupIds, string? tenantId, CancellationToken cancellationToken)
    {
        if (groupIds.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApplicationUsers.AsNoTracking()
            .Where(u => u.ApplicationId == applicationId && u.Type == "adGroup" && groupIds.Contains(u.ObjectId!) && (u.TenantId == null || u.TenantId == tenantId))
            .Select(u => u.Roles).ToListAsync(cancellationToken);
        return rows.SelectMany(r => JsonSerializer.Deserialize<List<RoleAssignment>>(r, Json) ?? []).ToList();
    }

    private static ApplicationUser ToModel(ApplicationUserEntity e) =>
        new(e.Id, e.Type, e.Email, e.TenantId, e.ObjectId, JsonSerializer.Deserialize<List<RoleAssignment>>(e.Roles, Json) ?? [], e.ETag);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex IdRegex();
}
