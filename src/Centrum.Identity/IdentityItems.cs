namespace Centrum.Identity;

/// <summary>HttpContext item keys the identity area sets for the API to read.</summary>
public static class IdentityItems
{
    public const string AuthenticationFailure = "centrum:auth-failure";
}
