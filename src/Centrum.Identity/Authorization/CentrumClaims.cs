using System.Security.Claims;

namespace Centrum.Identity.Authorization;

public static class CentrumClaims
{
    public const string Application = "centrum:application";
    public const string TokenId = "centrum:token";
    public const string Role = "centrum:role";

    public static string? ApplicationId(this ClaimsPrincipal principal) => principal.FindFirstValue(Application);
}
