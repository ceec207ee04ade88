using System.Security.Claims;
using Centrum.Applications;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Centrum.Identity.Users;

/// <summary>
/// A signed-in account or a provider's bearer token acts in one application with the roles its membership holds there
/// now: they are looked up on every request, never kept in a cookie or token, so a removed member or role loses access
/// at once. A session names its application (chosen at sign-in); a bearer token's is the one addressed by host name.
/// People are members by email, service principals by object id (and tenant), and either through a directory group.
/// Only Centrum's own API tokens arrive with their roles resolved; any <c>centrum:*</c> claim on another principal (a
/// provider's token may carry anything) is removed before the lookup, and a provider's email counts only when verified.
/// </summary>
internal sealed class MembershipClaimsTransformation(
    UserService users, IApplicationCatalog applications, IHttpContextAccessor http, IOptions<SingleSignOnOptions> sso) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } original
            || original.AuthenticationType == ApiTokenAuthenticationHandler.SchemeName)
        {
            return principal;
        }

        // A session (Centrum's own cookie) keeps the application it signed in to; everything else Centrum claims is
        // looked up again here, never read from the principal.
        var session = original.AuthenticationType == IdentityConstants.ApplicationScheme;
        var transformed = principal.Clone();
        var identity = (ClaimsIdentity)transformed.Identity!;
        ExternalIdentity.RemoveCentrumClaims(identity, keepApplication: session);
        var applicationId = identity.FindFirst(CentrumClaims.Application)?.Value;
        if (applicationId is null && http.HttpContext?.Request.Host.Host is { } host)
        {
            applicationId = (await applications.FindByHubHostAsync(host, CancellationToken.None))?.Id;
        }

        if (applicationId is null)
        {
            return transformed;
        }

        var options = sso.Value;
        var email = session ? identity.FindFirst(ClaimTypes.Email)?.Value : ExternalIdentity.VerifiedEmail(transformed, options);
        var objectId = identity.FindFirst(options.ObjectIdClaim)?.Value ?? identity.FindFirst("sub")?.Value ?? identity.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var tenantId = identity.FindFirst(options.TenantIdClaim)?.Value;
        var roles = email is not null
            ? await users.RolesOfAsync(applicationId, email, CancellationToken.None)
            : objectId is not null
                ? await users.RolesOfServicePrincipalAsync(applicationId, objectId, tenantId, CancellationToken.None)
                : [];

        // Members may also be directory groups: a token that lists the group's object id in its groups claim holds its roles.
        var groups = identity.FindAll(options.GroupsClaim).Select(c => c.Value).ToList();
        roles = [.. roles, .. await users.RolesOfGroupsAsync(applicationId, groups, tenantId, CancellationToken.None)];

        if (!identity.HasClaim(c => c.Type == CentrumClaims.Application))
        {
            identity.AddClaim(new Claim(CentrumClaims.Application, applicationId));
        }

        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(CentrumClaims.Role, CentrumClaims.RoleValue(role.Role, role.Organization)));
        }

        return transformed;
    }
}
