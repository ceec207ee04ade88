using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Applications;
using Centrum.Identity;
using Centrum.Identity.Accounts;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Centrum.Api.Identity;

/// <summary>
/// Centrum's own: signing local accounts in and out of an application (password, then an authenticator code or a
/// recovery code when two-factor sign-in is on), and turning two-factor sign-in on. A signed-in session calls the REST
/// API with the roles its membership holds. The rules (throttling, membership, lockout, the second factor, audit) are
/// the identity area's <see cref="AccountSignIn"/>; these endpoints read the body and write the cookies.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account").AllowAnonymous();
        account.MapPost("/signin", SignInAsync);
        account.MapPost("/signin/twofactor", (HttpContext c, AccountSessions s) => SecondFactorAsync(c, s, recovery: false));
        account.MapPost("/signin/recovery", (HttpContext c, AccountSessions s) => SecondFactorAsync(c, s, recovery: true));
        account.MapPost("/signout", async (AccountSessions sessions) =>
        {
            await sessions.SignOutAsync();
            return Results.NoContent();
        });
        account.MapGet("/signin/oidc", SingleSignOnAsync);
        account.MapGet("/signin/oidc/complete", CompleteSingleSignOnAsync);
        account.MapPost("/twofactor/setup", SetupAsync);
        account.MapPost("/twofactor/enable", EnableAsync);
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, AccountSessions sessions)
    {
        var (body, error) = await ReadAsync(context, "email", "password", "application");
        if (error is not null)
        {
            return error;
        }

        return Answer(await sessions.PasswordAsync(context, (string)body!["application"]!, (string)body["email"]!, (string)body["password"]!, Origin(context), context.RequestAborted));
    }

    private static async Task<IResult> SecondFactorAsync(HttpContext context, AccountSessions sessions, bool recovery)
    {
        var (body, error) = await ReadAsync(context, "code", "application");
        if (error is not null)
        {
            return error;
        }

        return Answer(await sessions.SecondFactorAsync(context, (string)body!["application"]!, (string)body["code"]!, recovery, Origin(context), context.RequestAborted));
    }

    private static IResult Answer(Outcome<SignInAnswer> answer) =>
        !answer.Succeeded ? ApiError.From(answer.Problem)
        : answer.Value.RequiresTwoFactor ? Results.Json(new { signedIn = false, requiresTwoFactor = true })
        : Results.Json(new { signedIn = true });

    /// <summary>Browser sign-in through the configured OpenID Connect provider (authorization code flow with PKCE).</summary>
    private static async Task<IResult> SingleSignOnAsync(HttpContext context, IOptions<SingleSignOnOptions> sso, IApplicationCatalog applications, string? application, string? returnUrl)
    {
        if (!sso.Value.Enabled)
        {
            return ApiError.NotFound("Single sign-on is not configured.");
        }

        if (application is null || await applications.FindByIdAsync(application, context.RequestAborted) is null)
        {
            return ApiError.BadRequest("Name the application to sign in to: ?application=<id>.");
        }

        var complete = QueryString.Create([new KeyValuePair<string, string?>("application", application), new KeyValuePair<string, string?>("returnUrl", LocalUrl(returnUrl))]);
        return Results.Challenge(new AuthenticationProperties { RedirectUri = "/account/signin/oidc/complete" + complete }, [IdentityServiceCollectionExtensions.SingleSignOnScheme]);
    }

    /// <summary>The provider vouched for the person (in the external cookie); the identity area decides whether that makes a session.</summary>
    private static async Task<IResult> CompleteSingleSignOnAsync(
        HttpContext context, IOptions<SingleSignOnOptions> sso, AccountSignIn accounts, string? application, string? returnUrl)
    {
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!sso.Value.Enabled || !external.Succeeded || application is null)
        {
            return ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Single sign-on did not complete.");
        }

        var member = await accounts.SingleSignOnAsync(application, ExternalIdentity.VerifiedEmail(external.Principal, sso.Value), Origin(context), context.RequestAborted);
        if (!member.Succeeded)
        {
            return ApiError.From(member.Problem);
        }

        var email = member.Value;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, external.Principal.FindFirst("sub")?.Value ?? email),
                new Claim(ClaimTypes.Email, email),
                new Claim(CentrumClaims.Application, application),
                new Claim("amr", "external"),
            ],
            IdentityConstants.ApplicationScheme);
        await context.SignInAsync(IdentityConstants.ApplicationScheme, new ClaimsPrincipal(identity));
        return returnUrl is { Length: > 1 } ? Results.LocalRedirect(LocalUrl(returnUrl)) : Results.Json(new { signedIn = true });
    }

    private static string LocalUrl(string? url) => url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    /// <summary>A new authenticator key for the signed-in account, shown once; the body may carry the proof the identity area asks for.</summary>
    private static async Task<IResult> SetupAsync(HttpContext context, AccountSessions sessions)
    {
        if (await sessions.SignedInAsync(context) is not { } account)
        {
            return NotSignedIn();
        }

        var key = await sessions.ReplaceAuthenticatorAsync(account, await ReadProofAsync(context));
        return key.Succeeded ? Results.Json(new { sharedKey = key.Value.SharedKey, authenticatorUri = key.Value.AuthenticatorUri }) : ApiError.From(key.Problem);
    }

    /// <summary>Turns two-factor sign-in on once the account proves it has the key (a current code); answers the recovery codes once.</summary>
    private static async Task<IResult> EnableAsync(HttpContext context, AccountSessions sessions)
    {
        if (await sessions.SignedInAsync(context) is not { } account)
        {
            return NotSignedIn();
        }

        var (body, error) = await ReadAsync(context, "code");
        if (error is not null)
        {
            return error;
        }

        var codes = await sessions.EnableTwoFactorAsync(account, (string)body!["code"]!);
        return codes.Succeeded ? Results.Json(new { twoFactorEnabled = true, recoveryCodes = codes.Value }) : ApiError.From(codes.Problem);
    }

    /// <summary>
    /// <c>{"password": string}</c> or <c>{"code": string}</c>, or null for any other body (or none): the identity area
    /// answers whether a proof was needed.
    /// </summary>
    private static async Task<AccountProof?> ReadProofAsync(HttpContext context)
    {
        if (context.Request.ContentLength is 0 || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count == 0))
        {
            return null;
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request);
        return error is null && body is JsonObject obj && obj.Count == 1 && obj.Single() is { Key: "password" or "code", Value: JsonValue value } && value.GetValueKind() == JsonValueKind.String
            ? obj.Single().Key == "password" ? new AccountProof((string)value!, null) : new AccountProof(null, (string)value!)
            : null;
    }

    private static IResult NotSignedIn() => ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Sign in first.");

    private static SignInOrigin Origin(HttpContext context) => new(context.Connection.RemoteIpAddress, context.Request.Method, context.Request.Path.Value ?? "");

    private static async Task<(JsonObject? Body, IResult? Error)> ReadAsync(HttpContext context, params string[] members)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return (null, error);
        }

        if (body is not JsonObject obj || members.Any(m => obj[m] is not JsonValue v || v.GetValueKind() != JsonValueKind.String) || obj.Any(p => !members.Contains(p.Key)))
        {
            return (null, ApiError.BadRequest($"The body must be {{{string.Join(", ", members.Select(m => $"\"{m}\": string"))}}}."));
        }

        return (obj, null);
    }
}
