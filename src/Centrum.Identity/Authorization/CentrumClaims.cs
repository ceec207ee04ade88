using System.Security.Claims;

namespace Centrum.Identity.Authorization;

public static class CentrumClaims
{
    /// <summary>Every claim Centrum sets starts with this; principals from outside never carry them (see ExternalIdentity).</summary>
    public const string Prefix = "centrum:";

    public const string Application = "centrum:application";
    public const string TokenId = "centrum:token";
    public const string Role = "centrum:role";

    public static string? ApplicationId(this ClaimsPrincipal principal) => principal.FindFirstValue(Application);

    /// <summary>A role claim's value: the role id, followed by <c>@organization</c> when the assignment is limited to one.</summary>
    public static string RoleValue(string roleId, string? organization) => organization is null ? roleId : $"{roleId}@{organization}";

    public static (string Role, string? Organization) ParseRole(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (value, null) : (value[..at], value[(at + 1)..]);
    }
}
