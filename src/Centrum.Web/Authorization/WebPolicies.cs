using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authorization;

namespace Centrum.Web.Authorization;

/// <summary>The policy of pages open to any member of the application (<c>[Authorize(Policy = WebPolicies.Member)]</c>).</summary>
public static class WebPolicies
{
    /// <summary>Signed in to an application: a session names the application it was issued for.</summary>
    public const string Member = "centrum:web-member";

    internal static AuthorizationPolicy MemberPolicy { get; } = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireClaim(CentrumClaims.Application)
        .RequireClaim(CentrumClaims.Role)
        .Build();
}
