using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Api.Internal;
using Centrum.Applications;
using Centrum.Identity;
using Centrum.Identity.Audit;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Api.Identity;

/// <summary>
/// Centrum's own: signing local accounts in and out of an application (password, then an authenticator code or a
/// recovery code when two-factor sign-in is on), and turning two-factor sign-in on. A signed-in session calls the REST
/// API with the roles its membership holds. Sign-ins are audited; failures count towards lockout.
/// </summary>
public static class AccountEndpoints
{
    private const string InvalidCredentials = "The email or password is not valid, or the account is not a member of the application.";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account").AllowAnonymous();
        account.MapPost("/signin", SignInAsync);
        account.MapPost("/signin/twofactor", (HttpContext c, SignInManager<CentrumUser> s, UserService u, IApplicationCatalog a, AuditLog l, SignInThrottle t) => SecondFactorAsync(c, s, u, a, l, t, recovery: false));
        account.MapPost("/signin/recovery", (HttpContext c, SignInManager<CentrumUser> s, UserService u, IApplicationCatalog a, AuditLog l, SignInThrottle t) => SecondFactorAsync(c, s, u, a, l, t, recovery: true));
        account.MapPost("/signout", async (SignInManager<CentrumUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.NoContent();
        });
        account.MapGet("/signin/oidc", SingleSignOnAsync);
        account.MapGet("/signin/oidc/complete", CompleteSingleSignOnAsync);
        account.MapPost("/twofactor/setup", SetupAsync);
        account.MapPost("/twofactor/enable", EnableAsync);
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, SignInManager<CentrumUser> signIn, UserService users, IApplicationCatalog applications, AuditLog audit, SignInThrottle throttle)
    {
        if (TooMany(context, throttle.FromAddress(context.Connection.RemoteIpAddress), "this address") is { } fromAddress)
        {
            return fromAddress;
        }

        var (body, error) = await ReadAsync(context, "email", "password", "application");
        if (error is not null)
        {
            return error;
        }

        var email = (string)body!["email"]!;
        if (TooMany(context, throttle.AtAccount(email), "this account") is { } atAccount)
        {
            return atAccount;
        }

        var application = await applications.FindByIdAsync((string)body["application"]!, context.RequestAborted);
        if (application is null)
        {
            return ApiError.BadRequest("The application does not exist.");
        }

        var user = await signIn.UserManager.FindByEmailAsync(email);
        if (user is null || (await users.RolesOfAsync(application.Id, email, context.RequestAborted)).Count == 0)
        {
            await RecordAsync(audit, context, application.Id, "signInFailed", email, StatusCodes.Status401Unauthorized);
            return ApiError.Result(StatusCodes.Status401Unauthorized, "InvalidCredentials", InvalidCredentials);
        }

        var result = await signIn.PasswordSignInAsync(user, (string)body["password"]!, isPersistent: false, lockoutOnFailure: true);
        return await OutcomeAsync(context, signIn, audit, application.Id, user, result);
    }

    private static async Task<IResult> SecondFactorAsync(
        HttpContext context, SignInManager<CentrumUser> signIn, UserService users, IApplicationCatalog applications, AuditLog audit, SignInThrottle throttle, bool recovery)
    {
        if (TooMany(context, throttle.FromAddress(context.Connection.RemoteIpAddress), "this address") is { } fromAddress)
        {
            return fromAddress;
        }

        var (body, error) = await ReadAsync(context, "code", "application");
        if (error is not null)
        {
            return error;
        }

        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user?.Email is { } account && TooMany(context, throttle.AtAccount(account), "this account") is { } atAccount)
        {
            return atAccount;
        }

        var application = await applications.FindByIdAsync((string)body!["application"]!, context.RequestAborted);
        if (user is null || application is null || (await users.RolesOfAsync(application.Id, user.Email!, context.RequestAborted)).Count == 0)
        {
            return ApiError.Result(StatusCodes.Status401Unauthorized, "InvalidCredentials", "Sign in with the email and password first.");
        }

        var code = ((string)body["code"]!).Replace(" ", "", StringComparison.Ordinal);
        var result = recovery
            ? await signIn.TwoFactorRecoveryCodeSignInAsync(code)
            : await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        return await OutcomeAsync(context, signIn, audit, application.Id, user, result);
    }

    /// <summary>
    /// Identity signs the account in without naming the application; the session is issued again with it, so every
    /// request knows which membership's roles apply.
    /// </summary>
    private static async Task<IResult> OutcomeAsync(HttpContext context, SignInManager<CentrumUser> signIn, AuditLog audit, string applicationId, CentrumUser user, SignInResult result)
    {
        if (result.Succeeded)
        {
            var claims = new List<Claim> { new(CentrumClaims.Application, applicationId) };
            if (await signIn.UserManager.GetTwoFactorEnabledAsync(user))
            {
                claims.Add(new Claim("amr", "mfa"));
            }

            await signIn.SignInWithClaimsAsync(user, isPersistent: false, claims);
            await RecordAsync(audit, context, applicationId, "signedIn", user.Email!, StatusCodes.Status200OK);
            return Results.Json(new { signedIn = true });
        }

        if (result.RequiresTwoFactor)
        {
            return Results.Json(new { signedIn = false, requiresTwoFactor = true });
        }

        if (result.IsLockedOut)
        {
            await RecordAsync(audit, context, applicationId, "lockedOut", user.Email!, StatusCodes.Status403Forbidden);
            return ApiError.Result(StatusCodes.Status403Forbidden, "LockedOut", "The account is locked after repeated failed sign-ins; try again later.");
        }

        await RecordAsync(audit, context, applicationId, "signInFailed", user.Email!, StatusCodes.Status401Unauthorized);
        return ApiError.Result(StatusCodes.Status401Unauthorized, "InvalidCredentials", InvalidCredentials);
    }

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

    /// <summary>
    /// The provider vouched for the person (in the external cookie); if the application has them as an email member,
    /// they get a session there, like a password sign-in. No local account is needed.
    /// </summary>
    private static async Task<IResult> CompleteSingleSignOnAsync(
        HttpContext context, IOptions<SingleSignOnOptions> sso, UserService users, AuditLog audit, string? application, string? returnUrl)
    {
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!sso.Value.Enabled || !external.Succeeded || application is null)
        {
            return ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Single sign-on did not complete.");
        }

        var email = ExternalIdentity.VerifiedEmail(external.Principal, sso.Value);
        if (email is null || (await users.RolesOfAsync(application, email, context.RequestAborted)).Count == 0)
        {
            await RecordAsync(audit, context, application, "signInFailed", email ?? "", StatusCodes.Status403Forbidden);
            return ApiError.Result(StatusCodes.Status403Forbidden, "NotAMember", "The provider signed you in, but you are not a member of this application.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, external.Principal.FindFirst("sub")?.Value ?? email),
                new Claim(ClaimTypes.Email, email),
                new Claim(CentrumClaims.Application, application),
                new Claim("amr", "external"),
            ],
            IdentityConstants.ApplicationScheme);
        await context.SignInAsync(IdentityConstants.ApplicationScheme, new ClaimsPrincipal(identity));
        await RecordAsync(audit, context, application, "signedIn", email, StatusCodes.Status200OK);
        return returnUrl is { Length: > 1 } ? Results.LocalRedirect(LocalUrl(returnUrl)) : Results.Json(new { signedIn = true });
    }

    /// <summary>RFC 6585 §4: 429 with Retry-After (RFC 9110 §10.2.3, whole seconds) when the allowance is spent.</summary>
    private static IResult? TooMany(HttpContext context, TimeSpan? retryAfter, string source)
    {
        if (retryAfter is not { } wait)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        Log.SignInThrottled(Logger(context), source, context.Connection.RemoteIpAddress?.ToString(), seconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiError.Result(StatusCodes.Status429TooManyRequests, "TooManyRequests", $"Too many sign-in attempts from {source}; retry after {seconds} s.");
    }

    private static string LocalUrl(string? url) => url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    /// <summary>
    /// Creates a new authenticator key for the signed-in account and shows it once, as a key and an otpauth URI. When
    /// two-factor sign-in is on, the session alone does not replace the active authenticator: the body must prove the
    /// account with its password or a current code, and a wrong proof counts towards lockout.
    /// </summary>
    private static async Task<IResult> SetupAsync(HttpContext context, UserManager<CentrumUser> manager)
    {
        if (await SignedInAsync(context, manager) is not { } user)
        {
            return NotSignedIn();
        }

        if (await manager.GetTwoFactorEnabledAsync(user) && await ProveAsync(context, manager, user) is { } refused)
        {
            return refused;
        }

        await manager.ResetAuthenticatorKeyAsync(user);
        var key = await manager.GetAuthenticatorKeyAsync(user);
        var uri = $"otpauth://totp/{UrlEncoder.Default.Encode("Centrum:" + user.Email)}?secret={key}&issuer=Centrum&digits=6";
        return Results.Json(new { sharedKey = key, authenticatorUri = uri });
    }

    /// <summary>Turns two-factor sign-in on once the account proves it has the key (a current code); answers the recovery codes once.</summary>
    private static async Task<IResult> EnableAsync(HttpContext context, UserManager<CentrumUser> manager)
    {
        if (await SignedInAsync(context, manager) is not { } user)
        {
            return NotSignedIn();
        }

        var (body, error) = await ReadAsync(context, "code");
        if (error is not null)
        {
            return error;
        }

        var code = ((string)body!["code"]!).Replace(" ", "", StringComparison.Ordinal);
        if (!await manager.VerifyTwoFactorTokenAsync(user, manager.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            return ApiError.BadRequest("The code does not match the authenticator key.");
        }

        await manager.SetTwoFactorEnabledAsync(user, true);
        var codes = await manager.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
        return Results.Json(new { twoFactorEnabled = true, recoveryCodes = codes });
    }

    private static async Task<IResult?> ProveAsync(HttpContext context, UserManager<CentrumUser> manager, CentrumUser user)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj || obj.Count != 1 || obj.Single() is not { Key: "password" or "code", Value: JsonValue value } || value.GetValueKind() != JsonValueKind.String)
        {
            return ApiError.BadRequest("Two-factor sign-in is on: replacing the authenticator needs {\"password\": string} or {\"code\": string} (a current code).");
        }

        if (await manager.IsLockedOutAsync(user))
        {
            return ApiError.Result(StatusCodes.Status403Forbidden, "LockedOut", "The account is locked after repeated failed sign-ins; try again later.");
        }

        var proof = (string)value!;
        var proven = obj.Single().Key == "password"
            ? await manager.CheckPasswordAsync(user, proof)
            : await manager.VerifyTwoFactorTokenAsync(user, manager.Options.Tokens.AuthenticatorTokenProvider, proof.Replace(" ", "", StringComparison.Ordinal));
        if (proven)
        {
            return null;
        }

        await manager.AccessFailedAsync(user);
        return ApiError.Result(StatusCodes.Status403Forbidden, "InvalidCredentials", "The password or code is not valid; the authenticator was not replaced.");
    }

    private static async Task<CentrumUser?> SignedInAsync(HttpContext context, UserManager<CentrumUser> manager)
    {
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded ? await manager.GetUserAsync(session.Principal) : null;
    }

    private static IResult NotSignedIn() => ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Sign in first.");

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

    private static Task RecordAsync(AuditLog audit, HttpContext context, string applicationId, string action, string email, int outcome)
    {
        var logger = Logger(context);
        var remote = context.Connection.RemoteIpAddress?.ToString();
        switch (action)
        {
            case "signedIn":
                Log.SignedIn(logger, applicationId, email, remote);
                break;
            case "lockedOut":
                Log.LockedOut(logger, applicationId, email, remote);
                break;
            case "signInFailed":
                Log.SignInFailed(logger, applicationId, email, remote);
                break;
        }

        return Audit(audit, context, applicationId, action, email, outcome);
    }

    private static ILogger Logger(HttpContext context) =>
        ((ILoggerFactory)context.RequestServices.GetService(typeof(ILoggerFactory))!).CreateLogger(typeof(AccountEndpoints).FullName!);

    private static Task Audit(AuditLog audit, HttpContext context, string applicationId, string action, string email, int outcome) =>
        audit.RecordAsync(applicationId, new AuditEntry(action, "user", email, "session", null, context.Request.Method, context.Request.Path.Value ?? "", outcome,
            context.Connection.RemoteIpAddress?.ToString()), CancellationToken.None);
}
