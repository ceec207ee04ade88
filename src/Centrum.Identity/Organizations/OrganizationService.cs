using System.Security.Cryptography;
using Centrum.Identity.Authorization;
using Centrum.Identity.Internal;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Identity.Organizations;

/// <summary>IoT Central's <c>Organization</c>: a node of the application's organization tree.</summary>
public sealed record Organization(string Id, string DisplayName, string? Parent, string ETag);

/// <summary>
/// The application's organization tree. Devices, users and API tokens name organizations; a role assigned within an
/// organization reaches that organization and everything below it.
/// </summary>
public sealed class OrganizationService(IDbContextFactory<CentrumDbContext> contexts, ILogger<OrganizationService> logger)
{
    public const int MaxDepth = 5;

    public async Task<IReadOnlyList<Organization>> ListAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return (await db.Organizations.AsNoTracking().Where(o => o.ApplicationId == applicationId).OrderBy(o => o.Id).ToListAsync(cancellationToken))
            .Select(ToModel).ToList();
    }

    public async Task<Organization?> GetAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.ApplicationId == applicationId && o.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>The organizations with their descendants: what a role assigned within them reaches.</summary>
    public async Task<IReadOnlySet<string>> SubtreeAsync(string applicationId, IEnumerable<string> roots, CancellationToken cancellationToken)
    {
        var all = await ListAsync(applicationId, cancellationToken);
        var children = all.Where(o => o.Parent is not null).ToLookup(o => o.Parent!, o => o.Id);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots.Where(r => all.Any(o => o.Id == r)));
        while (pending.TryPop(out var next))
        {
            if (reached.Add(next))
            {
                foreach (var child in children[next])
                {
                    pending.Push(child);
                }
            }
        }

        return reached;
    }

    /// <summary>
    /// Creates or replaces an organization; its parent must exist and the tree stays a tree of at most
    /// <see cref="MaxDepth"/> levels. Placing an organization extends the reach of every role assigned above it, so the
    /// caller's own reach must cover both the new parent and, for an existing organization, the current one: a caller
    /// limited to organizations works only below its own, and never moves its own root. With <paramref name="ifMatch"/>
    /// (IoT Central REST API, Organizations_Update's If-Match header) the write happens only when the stored etag is
    /// that one, or, for <c>*</c>, when the organization exists; otherwise <c>ETagMismatch</c> and nothing changes.
    /// </summary>
    public async Task<(Organization? Organization, string? Error, string? Refused, bool ETagMismatch)> SaveAsync(
        string applicationId, string id, string displayName, string? parent, CallerHoldings holder, CancellationToken cancellationToken, string? ifMatch = null)
    {
        var result = await SaveCoreAsync(applicationId, id, displayName, parent, holder, ifMatch, cancellationToken);
        if (result.Organization is not null)
        {
            Log.OrganizationSaved(logger, applicationId, id, parent);
        }
        else if (result.Refused is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"save organization {id}", refused);
        }

        return result;
    }

    private async Task<(Organization? Organization, string? Error, string? Refused, bool ETagMismatch)> SaveCoreAsync(
        string applicationId, string id, string displayName, string? parent, CallerHoldings holder, string? ifMatch, CancellationToken cancellationToken)
    {
        var all = (await ListAsync(applicationId, cancellationToken)).ToDictionary(o => o.Id);
        var refused = holder.RefuseReach(Permission.OrganizationsManage, parent)
            ?? (all.TryGetValue(id, out var current) ? holder.RefuseReach(Permission.OrganizationsManage, current.Parent) : null);
        if (refused is not null)
        {
            return (null, null, refused, false);
        }

        if (parent is not null)
        {
            if (!all.ContainsKey(parent))
            {
                return (null, $"parent: the organization '{parent}' does not exist.", null, false);
            }

            var depth = 1;
            for (var at = parent; at is not null; at = all[at].Parent)
            {
                if (at == id)
                {
                    return (null, "parent: an organization cannot be below itself.", null, false);
                }

                if (++depth > MaxDepth)
                {
                    return (null, $"parent: organizations nest at most {MaxDepth} levels deep.", null, false);
                }
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Organizations.FirstOrDefaultAsync(o => o.ApplicationId == applicationId && o.Id == id, cancellationToken);
        if (ifMatch is not null && (entity is null || (ifMatch != "*" && entity.ETag != ifMatch)))
        {
            return (null, null, null, true);
        }

        if (ifMatch is not null && ifMatch != "*")
        {
            // Conditional on the etag read, so two writers holding the same etag cannot both succeed.
            var etag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
            var updated = await db.Organizations
                .Where(o => o.ApplicationId == applicationId && o.Id == id && o.ETag == ifMatch)
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.DisplayName, displayName).SetProperty(o => o.Parent, parent).SetProperty(o => o.ETag, etag), cancellationToken);
            return updated == 0 ? (null, null, null, true) : (new Organization(id, displayName, parent, etag), null, null, false);
        }

        if (entity is null)
        {
            entity = new OrganizationEntity { ApplicationId = applicationId, Id = id, DisplayName = "", ETag = "" };
            db.Organizations.Add(entity);
        }

        entity.DisplayName = displayName;
        entity.Parent = parent;
        entity.ETag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await db.SaveChangesAsync(cancellationToken);
        return (ToModel(entity), null, null, false);
    }

    /// <summary>
    /// Deletes an organization nothing refers to: no children, devices, users or tokens (409 otherwise). An organization
    /// outside the caller's reach is not there for it; its own root it may not delete.
    /// </summary>
    public async Task<(bool Deleted, string? Conflict, string? Refused)> DeleteAsync(string applicationId, string id, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (await GetAsync(applicationId, id, cancellationToken) is not { } current || holder.RefuseReach(Permission.OrganizationsManage, id) is not null)
        {
            return (false, null, null);
        }

        if (holder.RefuseReach(Permission.OrganizationsManage, current.Parent) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"delete organization {id}", refused);
            return (false, null, refused);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var quoted = System.Text.Json.JsonSerializer.Serialize(id);
        if (await db.Organizations.AnyAsync(o => o.ApplicationId == applicationId && o.Parent == id, cancellationToken)
            || await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Organizations.Contains(quoted), cancellationToken)
            || await db.ApiTokens.AnyAsync(t => t.ApplicationId == applicationId && t.Roles.Contains(quoted), cancellationToken)
            || await db.ApplicationUsers.AnyAsync(u => u.ApplicationId == applicationId && u.Roles.Contains(quoted), cancellationToken))
        {
            return (false, "Organizations, devices, users or API tokens belong to this organization; move them first.", null);
        }

        var deleted = await db.Organizations.Where(o => o.ApplicationId == applicationId && o.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        if (deleted)
        {
            Log.OrganizationDeleted(logger, applicationId, id);
        }

        return (deleted, null, null);
    }

    private static Organization ToModel(OrganizationEntity e) => new(e.Id, e.DisplayName, e.Parent, e.ETag);
}
