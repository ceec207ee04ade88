using System.ComponentModel.DataAnnotations;

namespace Centrum.Identity.Users;

/// <summary>
/// Section <c>Centrum:Identity:OpenIdConnect</c>: single sign-on with any OpenID Connect provider, and the provider's
/// bearer tokens on the REST API. Empty <see cref="Authority"/> turns both off.
/// </summary>
public sealed class SingleSignOnOptions : IValidatableObject
{
    public const string Section = "Centrum:Identity:OpenIdConnect";

    /// <summary>The provider's issuer URL; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Centrum's client registration at the provider, used for browser sign-in (authorization code flow).</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The audience bearer tokens must be issued for (the API's identifier at the provider).</summary>
    public string? Audience { get; set; }

    /// <summary>Refuse a provider whose metadata is not served over HTTPS. Turn off only for a provider on the same machine in tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim that carries a person's email (matched against email members of the application).</summary>
    public string EmailClaim { get; set; } = "email";

    /// <summary>The claim that identifies a service principal (matched against <c>objectId</c> of servicePrincipal members); <c>sub</c> when absent.</summary>
    public string ObjectIdClaim { get; set; } = "oid";

    /// <summary>The claim with the principal's tenant (matched against <c>tenantId</c> when the member names one).</summary>
    public string TenantIdClaim { get; set; } = "tid";

    /// <summary>The claim that lists the directory groups a caller belongs to (matched against <c>objectId</c> of adGroup members).</summary>
    public string GroupsClaim { get; set; } = "groups";

    public bool Enabled => !string.IsNullOrEmpty(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            yield return new($"'{Authority}' is not an absolute URL of the provider's issuer.", [nameof(Authority)]);
        }
        else if (RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
        {
            yield return new($"'{Authority}' is not https; the provider's metadata must be (set RequireHttpsMetadata=false only for a provider on this machine).", [nameof(Authority)]);
        }
    }
}
