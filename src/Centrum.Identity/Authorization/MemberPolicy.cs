using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Centrum.Identity.Authorization;

/// <summary>
/// What any member of an application may do whatever its roles grant: keep personal dashboards (IoT Central: a personal
/// dashboard is seen by the user who made it only, and every user may make them). A member is a caller signed in to or
/// holding a token of the application with at least one role there; the operation's service decides the rest.
/// </summary>
public static class MemberPolicy
{
    public const string Name = "centrum:member";

    internal static AuthorizationPolicy Policy { get; } = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireClaim(CentrumClaims.Application)
        .RequireClaim(CentrumClaims.Role)
        .Build();

    /// <summary>
    /// The member a caller is, as what it owns is recorded (a personal dashboard's owner): an API token by its id, a
    /// person signed in to Centrum by the email its membership is keyed by, any other principal by its object id; null
    /// when none is known.
    /// The same for every head, so a dashboard made through REST by a person is theirs in the browser too.
    /// </summary>
    public static string? MemberId(this ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.FindFirst(CentrumClaims.TokenId)?.Value is { Length: > 0 } token)
        {
            return TokenMember(token);
        }

        // Only Centrum's own session vouches for its email; another identity provider's token may carry an email claim
        // nobody verified, so such a caller is known by its object id, as its membership is.
        if (caller.Identity?.AuthenticationType == IdentityConstants.ApplicationScheme && caller.FindFirst(ClaimTypes.Email)?.Value is { Length: > 0 } email)
        {
            return EmailMember(email);
        }

        var principal = caller.FindFirst("oid")?.Value ?? caller.FindFirst("http://schemas.microsoft.com/identity/claims/objectidentifier")?.Value
            ?? caller.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        return principal is { Length: > 0 } ? "principal:" + principal : null;
    }

    /// <summary>The member a caller holding the API token <paramref name="tokenId"/> is.</summary>
    public static string TokenMember(string tokenId) => "apiToken:" + tokenId;

    /// <summary>
    /// The member an entry of the users API is, as <see cref="MemberId"/> names its callers: a person by email, a service
    /// principal by object id; null for a directory group, whose people are members under their own object ids.
    /// </summary>
    public static string? UserMember(string type, string? email, string? objectId) => type switch
    {
        "email" when email is not null => EmailMember(email),
        "servicePrincipal" when objectId is not null => "principal:" + objectId,
        _ => null,
    };

    private static string EmailMember(string email) => "user:" + email.ToLowerInvariant();
}
