using System.Security.Claims;
using System.Text.Encodings.Web;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Identity.ApiTokens;

/// <summary>Authenticates <c>Authorization: SharedAccessSignature …</c> API tokens.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("SharedAccessSignature ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var result = await tokens.VerifyAsync(header, Context.RequestAborted);
        if (!result.Succeeded)
        {
            Context.Items[IdentityItems.AuthenticationFailure] = result.Failure;
            return AuthenticateResult.Fail(result.Failure!);
        }

        var claims = new List<Claim>
        {
            new(CentrumClaims.Application, result.ApplicationId!),
            new(CentrumClaims.TokenId, result.TokenId!),
            new(ClaimTypes.NameIdentifier, "token:" + result.TokenId),
        };
        claims.AddRange(result.Roles.Select(r => new Claim(CentrumClaims.Role, CentrumClaims.RoleValue(r.Role, r.Organization))));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
