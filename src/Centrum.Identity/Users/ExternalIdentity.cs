using System.Security.Claims;
using Centrum.Identity.Authorization;

namespace Centrum.Identity.Users;

/// <summary>
/// What Centrum reads from a principal an outside party vouched for (an OpenID Connect provider's ID or access token):
/// never Centrum's own claims, and an email only when the provider says it verified it.
/// </summary>
public static class ExternalIdentity
{
    /// <summary>OpenID Connect Core 1.0 §5.1: true when the provider took steps to ensure the address belongs to the person.</summary>
    public const string EmailVerifiedClaim = "email_verified";

    /// <summary>Removes every <c>centrum:*</c> claim: only Centrum sets them, from its own tokens, sessions and membership lookup.</summary>
    public static void RemoveCentrumClaims(ClaimsIdentity identity, bool keepApplication = false)
    {
        foreach (var claim in identity.Claims.Where(c => c.Type.StartsWith(CentrumClaims.Prefix, StringComparison.Ordinal)
            && !(keepApplication && c.Type == CentrumClaims.Application)).ToList())
        {
            identity.RemoveClaim(claim);
        }
    }

    /// <summary>
    /// The person's email, or null when the provider did not verify it. Email members are matched by address, so an
    /// unverified address (one a provider lets anyone type in) would let its holder act as that member.
    /// </summary>
    public static string? VerifiedEmail(ClaimsPrincipal principal, SingleSignOnOptions options)
    {
        var email = principal.FindFirst(options.EmailClaim)?.Value ?? principal.FindFirst(ClaimTypes.Email)?.Value;
        var verified = principal.FindFirst(EmailVerifiedClaim)?.Value;
        return email is not null && string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase) ? email : null;
    }
}
