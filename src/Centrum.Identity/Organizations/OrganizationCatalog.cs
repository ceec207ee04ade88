using Centrum.Organizations;
using Centrum.Storage;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Identity.Organizations;

/// <summary>The identity area's answers about organizations to other areas (<see cref="IOrganizationCatalog"/>).</summary>
internal sealed class OrganizationCatalog(IDbContextFactory<CentrumDbContext> contexts, OrganizationService organizations) : IOrganizationCatalog
{
    public async ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken)
    {
        if (organizationIds.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var known = await db.Organizations.AsNoTracking()
            .Where(o => o.ApplicationId == applicationId && organizationIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
        return organizationIds.Where(o => !known.Contains(o)).ToList();
    }

    public async ValueTask<IReadOnlySet<string>> SubtreeAsync(string applicationId, IReadOnlyCollection<string> roots, CancellationToken cancellationToken) =>
        await organizations.SubtreeAsync(applicationId, roots, cancellationToken);
}
