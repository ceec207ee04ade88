using System.Security.Claims;
using Centrum.Identity.Organizations;
using Centrum.Organizations;

namespace Centrum.Identity.Authorization;

/// <summary>
/// How far a caller's permission reaches: the whole application when a role granting it is assigned application-wide,
/// otherwise the organizations (and their descendants) of the assignments that grant it.
/// </summary>
public sealed class AccessScope(RoleCatalog roles, OrganizationService organizations)
{
    /// <summary>Null for the whole application; otherwise the organizations the caller reaches (possibly none).</summary>
    public async Task<IReadOnlySet<string>?> OrganizationsAsync(ClaimsPrincipal caller, Permission permission, CancellationToken cancellationToken)
    {
        var application = caller.ApplicationId();
        if (application is null)
        {
            return new HashSet<string>();
        }

        var roots = new List<string>();
        foreach (var claim in caller.FindAll(CentrumClaims.Role))
        {
            var (role, organization) = CentrumClaims.ParseRole(claim.Value);
            if (!await roles.GrantsAsync(application, role, permission, cancellationToken))
            {
                continue;
            }

            if (organization is null)
            {
                return null;
            }

            roots.Add(organization);
        }

        return await organizations.SubtreeAsync(application, roots, cancellationToken);
    }

    /// <summary>
    /// The caller's reach for one permission in the form the areas' services take: what every head (REST, the web
    /// application) hands them, derived in this one place.
    /// </summary>
    public async Task<OrganizationReach> ReachAsync(ClaimsPrincipal caller, Permission permission, CancellationToken cancellationToken) =>
        OrganizationReach.From(await OrganizationsAsync(caller, permission, cancellationToken));

    /// <summary>Everything the caller holds, with each permission's reach: what the grant rule compares a grant against.</summary>
    public async Task<CallerHoldings> HoldingsAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var held = new Dictionary<Permission, IReadOnlySet<string>?>();
        if (caller.ApplicationId() is null)
        {
            return new CallerHoldings(held);
        }

        foreach (var permission in Enum.GetValues<Permission>())
        {
            var reach = await OrganizationsAsync(caller, permission, cancellationToken);
            if (reach is null || reach.Count > 0)
            {
                held[permission] = reach;
            }
        }

        return new CallerHoldings(held);
    }

    /// <summary>Whether something that belongs to <paramref name="owners"/> is within reach; application-wide callers reach everything.</summary>
    public static bool Reaches(IReadOnlySet<string>? scope, IEnumerable<string> owners) => scope is null || owners.Any(scope.Contains);
}
