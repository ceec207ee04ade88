using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Identity.Internal;
using Centrum.Outcomes;
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
public sealed partial class OrganizationService(IDbContextFactory<CentrumDbContext> contexts, IDeviceDirectory devices, ILogger<OrganizationService> logger)
{
    /// <summary>IoT Central nests organizations at most five levels deep (IoT Central documentation, "Manage IoT Central organizations").</summary>
    public const int MaxDepth = 5;

    /// <summary>The longest display name accepted, as for the other named resources of the REST API.</summary>
    public const int MaxDisplayNameLength = 200;

    private static readonly Problem ETagMismatch = Problem.PreconditionFailed("The organization's etag does not match; read it again.");

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
    public async Task<Outcome<Organization>> SaveAsync(
        string applicationId, string id, string displayName, string? parent, CallerHoldings holder, CancellationToken cancellationToken, string? ifMatch = null)
    {
        var result = await SaveCoreAsync(applicationId, id, displayName, parent, holder, ifMatch, cancellationToken);
        if (result.Succeeded)
        {
            Log.OrganizationSaved(logger, applicationId, id, parent);
        }
        else if (result.Problem.Kind == ProblemKind.Forbidden)
        {
            Log.GrantRefused(logger, applicationId, $"save organization {id}", result.Problem.Message);
        }

        return result;
    }

    private async Task<Outcome<Organization>> SaveCoreAsync(
        string applicationId, string id, string displayName, string? parent, CallerHoldings holder, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!IdRegex().IsMatch(id))
        {
            return Problem.Invalid("Organization ids have 1 to 48 lower-case letters, digits and '-'.");
        }

        if (displayName.Length is 0 or > MaxDisplayNameLength)
        {
            return Problem.Invalid($"displayName: 1 to {MaxDisplayNameLength} characters.");
        }

        var all = (await ListAsync(applicationId, cancellationToken)).ToDictionary(o => o.Id);
        var refused = holder.RefuseReach(Permission.OrganizationsManage, parent)
            ?? (all.TryGetValue(id, out var current) ? holder.RefuseReach(Permission.OrganizationsManage, current.Parent) : null);
        if (refused is not null)
        {
            return Problem.Forbidden(refused);
        }

        if (parent is not null)
        {
            if (!all.ContainsKey(parent))
            {
                return Problem.Invalid($"parent: the organization '{parent}' does not exist.");
            }

            var depth = 1;
            for (var at = parent; at is not null; at = all[at].Parent)
            {
                if (at == id)
                {
                    return Problem.Invalid("parent: an organization cannot be below itself.");
                }

                if (++depth > MaxDepth)
                {
                    return Problem.Invalid($"parent: organizations nest at most {MaxDepth} levels deep.");
                }
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Organizations.FirstOrDefaultAsync(o => o.ApplicationId == applicationId && o.Id == id, cancellationToken);
        if (ifMatch is not null && (entity is null || (ifMatch != "*" && entity.ETag != ifMatch)))
        {
            return ETagMismatch;
        }

        if (ifMatch is not null && ifMatch != "*")
        {
            // Conditional on the etag read, so two writers holding the same etag cannot both succeed.
            var etag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
            var updated = await db.Organizations
                .Where(o => o.ApplicationId == applicationId && o.Id == id && o.ETag == ifMatch)
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.DisplayName, displayName).SetProperty(o => o.Parent, parent).SetProperty(o => o.ETag, etag), cancellationToken);
            return updated == 0 ? ETagMismatch : new Organization(id, displayName, parent, etag);
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
        return ToModel(entity);
    }

    /// <summary>
    /// Deletes an organization nothing refers to: no children, devices (asked of the devices area), users or tokens
    /// (a conflict otherwise). An organization outside the caller's reach is not there for it; its own root it may not
    /// delete. Answers the organization deleted.
    /// </summary>
    public async Task<Outcome<Organization>> DeleteAsync(string applicationId, string id, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (await GetAsync(applicationId, id, cancellationToken) is not { } current || holder.RefuseReach(Permission.OrganizationsManage, id) is not null)
        {
            return NotFound(id);
        }

        if (holder.RefuseReach(Permission.OrganizationsManage, current.Parent) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"delete organization {id}", refused);
            return Problem.Forbidden(refused);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var quoted = System.Text.Json.JsonSerializer.Serialize(id);
        if (await db.Organizations.AnyAsync(o => o.ApplicationId == applicationId && o.Parent == id, cancellationToken)
            || await devices.AnyInOrganizationAsync(applicationId, id, cancellationToken)
            || await db.ApiTokens.AnyAsync(t => t.ApplicationId == applicationId && t.Roles.Contains(quoted), cancellationToken)
            || await db.ApplicationUsers.AnyAsync(u => u.ApplicationId == applicationId && u.Roles.Contains(quoted), cancellationToken))
        {
            return Problem.Conflict("Organizations, devices, users or API tokens belong to this organization; move them first.");
        }

        if (await db.Organizations.Where(o => o.ApplicationId == applicationId && o.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound(id);
        }

        Log.OrganizationDeleted(logger, applicationId, id);
        return current;
    }

    public static Problem NotFound(string id) => Problem.NotFound($"Organization '{id}' was not found.");

    private static Organization ToModel(OrganizationEntity e) => new(e.Id, e.DisplayName, e.Parent, e.ETag);

    [GeneratedRegex("^[a-z0-9-]{1,48}$")]
    private static partial Regex IdRegex();
}
