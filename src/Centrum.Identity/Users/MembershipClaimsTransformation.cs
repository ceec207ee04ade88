using System.Security.Claims;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Centrum.Identity.Users;

/// <summary>
/// A signed-in account acts in the application it signed in to, with the roles its membership holds there now: they
/// are looked up on every request, never kept in the cookie, so a removed member or role loses access at once.
/// </summary>
internal sealed class MembershipClaimsTransformation(UserService users) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        var identity = principal.Identities.FirstOrDefault(i => i.AuthenticationType == IdentityConstants.ApplicationScheme);
        if (identity is null || identity.HasClaim(c => c.Type == CentrumClaims.Role)
            || identity.FindFirst(CentrumClaims.Application)?.Value is not { } application || identity.FindFirst(ClaimTypes.Email)?.Value is not { } email)
        {
            return principal;
        }

        var roles = await users.RolesOfAsync(application, email, CancellationToken.None);
        var transformed = principal.Clone();
        var target = transformed.Identities.First(i => i.AuthenticationType == IdentityConstants.ApplicationScheme);
        foreach (var role in roles)
        {
            target.AddClaim(new Claim(CentrumClaims.Role, role.Role));
        }

        return transformed;
    }
}
