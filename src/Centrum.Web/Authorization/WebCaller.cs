using System.Reflection;
using System.Security.Claims;
using Centrum.Applications;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Organizations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Centrum.Web.Authorization;

/// <summary>
/// Who is using the page: the application the session is signed in to, the permissions its roles grant and each one's
/// organization reach, derived by the identity area exactly as for a REST call (<see cref="AccessScope"/>, the
/// permission policies). Pages hand <see cref="ReachAsync"/> to the areas' services, which apply it; a page never
/// decides reach itself. One per circuit (scoped), over the circuit's authentication state.
/// </summary>
public sealed class WebCaller(
    AuthenticationStateProvider authentication, AccessScope scope, IAuthorizationService authorization, IApplicationCatalog applications, UserService members)
{
    private ClaimsPrincipal? _principal;

    public async Task<ClaimsPrincipal> PrincipalAsync() => _principal ??= (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>The application the session is signed in to, or null when there is no session.</summary>
    public async Task<string?> ApplicationIdAsync() => (await PrincipalAsync()).ApplicationId();

    /// <summary>The application's display name for the app bar.</summary>
    public async Task<Application?> ApplicationAsync(CancellationToken cancellationToken) =>
        await ApplicationIdAsync() is { } id ? await applications.FindByIdAsync(id, cancellationToken) : null;

    /// <summary>The applications the signed-in person is a member of (the identity area answers), the current one included.</summary>
    public async Task<IReadOnlyList<Application>> ApplicationsAsync(CancellationToken cancellationToken)
    {
        if (await EmailAsync() is not { } email)
        {
            return [];
        }

        var found = new List<Application>();
        foreach (var id in await members.ApplicationsOfAsync(email, cancellationToken))
        {
            if (await applications.FindByIdAsync(id, cancellationToken) is { } application)
            {
                found.Add(application);
            }
        }

        return found;
    }

    /// <summary>The account's email, as the session names it.</summary>
    public async Task<string?> EmailAsync() => (await PrincipalAsync()).FindFirstValue(ClaimTypes.Email) ?? (await PrincipalAsync()).Identity?.Name;

    /// <summary>Whether the caller holds <paramref name="permission"/>: the same policy REST's operations require.</summary>
    public async Task<bool> HoldsAsync(Permission permission) =>
        (await authorization.AuthorizeAsync(await PrincipalAsync(), PermissionRequirement.PolicyName(permission))).Succeeded;

    /// <summary>How far <paramref name="permission"/> reaches for the caller, for the areas' services.</summary>
    public async Task<OrganizationReach> ReachAsync(Permission permission, CancellationToken cancellationToken) =>
        await scope.ReachAsync(await PrincipalAsync(), permission, cancellationToken);

    /// <summary>
    /// Everything the caller holds, each permission with its reach: what the identity area's grant rule compares a grant
    /// against when a page assigns roles, issues a token, defines a role or places an organization (as REST hands it).
    /// </summary>
    public async Task<CallerHoldings> HoldingsAsync(CancellationToken cancellationToken) =>
        await scope.HoldingsAsync(await PrincipalAsync(), cancellationToken);

    /// <summary>
    /// Whether the caller may open the page <paramref name="page"/>: every <c>[Authorize]</c> it carries is met, as the
    /// router checks before rendering it. A page with none is open to nobody (deny by default), unless anonymous.
    /// </summary>
    public async Task<bool> MayOpenAsync(Type page)
    {
        if (page.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
        {
            return true;
        }

        var required = page.GetCustomAttributes<AuthorizeAttribute>().ToList();
        if (required.Count == 0)
        {
            return false;
        }

        var principal = await PrincipalAsync();
        foreach (var attribute in required)
        {
            if (attribute.Policy is null || !(await authorization.AuthorizeAsync(principal, attribute.Policy)).Succeeded)
            {
                return false;
            }
        }

        return true;
    }
}
