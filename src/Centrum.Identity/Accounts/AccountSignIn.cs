using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Centrum.Applications;
using Centrum.Identity.Audit;
using Centrum.Identity.Authorization;
using Centrum.Identity.Internal;
using Centrum.Identity.Users;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;

namespace Centrum.Identity.Accounts;

/// <summary>Where a sign-in attempt came from, for the throttle, the log and the audit entry.</summary>
public sealed record SignInOrigin(IPAddress? Address, string Method, string Path);

/// <summary>
/// A step of signing in: either the account is signed in to the application (the session carries
/// <see cref="Claims"/>), or the password was right and a second factor is required next.
/// </summary>
public sealed record SignInStep(CentrumUser User, bool RequiresTwoFactor, IReadOnlyList<Claim> Claims);

/// <summary>A new authenticator key, shown once: the key and the otpauth URI an authenticator app reads.</summary>
public sealed record AuthenticatorKey(string SharedKey, string AuthenticatorUri);

/// <summary>What proves the account when it replaces an active authenticator: its password or a current code.</summary>
public sealed record AccountProof(string? Password, string? Code);

/// <summary>
/// The rules of signing a local account in to an application, whoever asks (the REST sign-in endpoints, the web
/// application's sign-in pages): the attempt is throttled per source address and per account before anything is
/// checked, the application must exist and the account be its member, wrong passwords and authenticator codes count
/// towards lockout, an account with two-factor sign-in on needs an authenticator or recovery code after its password,
/// and an active authenticator is replaced only with the password or a current code. Answers what the caller must do
/// with the session (issue it, or ask for the second factor); cookies are the caller's.
/// </summary>
public sealed class AccountSignIn(
    UserManager<CentrumUser> accounts, UserService members, IApplicationCatalog applications, SignInThrottle throttle, AuditLog audit, ILogger<AccountSignIn> logger)
{
    /// <summary>Recovery codes issued when two-factor sign-in is turned on (ASP.NET Core Identity's usual ten).</summary>
    public const int RecoveryCodes = 10;

    private const string InvalidCredentialsMessage = "The email or password is not valid, or the account is not a member of the application.";

    private static readonly Problem InvalidCredentials = new(ProblemKind.Unauthorized, "InvalidCredentials", InvalidCredentialsMessage);

    private static readonly Problem LockedOut = new(ProblemKind.Forbidden, "LockedOut", "The account is locked after repeated failed sign-ins; try again later.");

    /// <summary>Identity refuses to save an account that changed since it was read (its concurrency stamp).</summary>
    private static readonly Problem AccountChanged = Problem.Conflict("The account changed meanwhile; try again.");

    /// <summary>
    /// The first step: email and password. Refused alike whether the account is unknown, not a member or the password
    /// wrong, so the answer does not tell which accounts exist.
    /// </summary>
    public async Task<Outcome<SignInStep>> PasswordAsync(string applicationId, string email, string password, SignInOrigin origin, CancellationToken cancellationToken)
    {
        if ((Throttled(throttle.FromAddress(origin.Address), "this address", origin) ?? Throttled(throttle.AtAccount(email), "this account", origin)) is { } throttled)
        {
            return throttled;
        }

        if (await applications.FindByIdAsync(applicationId, cancellationToken) is null)
        {
            return Problem.Invalid("The application does not exist.");
        }

        var user = await accounts.FindByEmailAsync(email);
        if (user is null || !await IsMemberAsync(applicationId, email, cancellationToken))
        {
            await RecordAsync(applicationId, "signInFailed", email, StatusCodes.Unauthorized, origin);
            return InvalidCredentials;
        }

        if (await accounts.IsLockedOutAsync(user))
        {
            await RecordAsync(applicationId, "lockedOut", user.Email!, StatusCodes.Forbidden, origin);
            return LockedOut;
        }

        if (!await accounts.CheckPasswordAsync(user, password))
        {
            return await FailedAsync(applicationId, user, origin, countsTowardsLockout: true);
        }

        if (await accounts.GetTwoFactorEnabledAsync(user) && (await accounts.GetValidTwoFactorProvidersAsync(user)).Count > 0)
        {
            // The lockout count is reset only once the second factor is proven too, as ASP.NET Core Identity does.
            return new SignInStep(user, RequiresTwoFactor: true, []);
        }

        await accounts.ResetAccessFailedCountAsync(user);
        return await SignedInAsync(applicationId, user, origin);
    }

    /// <summary>
    /// The second step: an authenticator code (a wrong one counts towards lockout) or a one-time recovery code, for the
    /// account whose password was proven in the first step (<paramref name="userId"/>, null when there was none).
    /// </summary>
    public async Task<Outcome<SignInStep>> SecondFactorAsync(
        string applicationId, string? userId, string code, bool recovery, SignInOrigin origin, CancellationToken cancellationToken)
    {
        if (Throttled(throttle.FromAddress(origin.Address), "this address", origin) is { } fromAddress)
        {
            return fromAddress;
        }

        var user = userId is null ? null : await accounts.FindByIdAsync(userId);
        if (user?.Email is { } account && Throttled(throttle.AtAccount(account), "this account", origin) is { } atAccount)
        {
            return atAccount;
        }

        if (user?.Email is null || await applications.FindByIdAsync(applicationId, cancellationToken) is null || !await IsMemberAsync(applicationId, user.Email, cancellationToken))
        {
            return new Problem(ProblemKind.Unauthorized, "InvalidCredentials", "Sign in with the email and password first.");
        }

        code = code.Replace(" ", "", StringComparison.Ordinal);
        if (recovery)
        {
            // Recovery codes are long random values used once; guessing them is not what lockout guards against.
            return (await accounts.RedeemTwoFactorRecoveryCodeAsync(user, code)).Succeeded
                ? await SignedInAsync(applicationId, user, origin)
                : await FailedAsync(applicationId, user, origin, countsTowardsLockout: false);
        }

        if (await accounts.IsLockedOutAsync(user))
        {
            await RecordAsync(applicationId, "lockedOut", user.Email, StatusCodes.Forbidden, origin);
            return LockedOut;
        }

        if (!await accounts.VerifyTwoFactorTokenAsync(user, accounts.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            return await FailedAsync(applicationId, user, origin, countsTowardsLockout: true);
        }

        await accounts.ResetAccessFailedCountAsync(user);
        return await SignedInAsync(applicationId, user, origin);
    }

    /// <summary>
    /// A signed-in account moves its session to another application: by the same rules as a password sign-in there
    /// (the application exists, the account is its member and not locked out), without the password again since the
    /// session proved it. The second factor is asked again when two-factor sign-in is on: the session records no
    /// proof of it that could be carried from one application to the next.
    /// </summary>
    public async Task<Outcome<SignInStep>> SwitchAsync(string applicationId, CentrumUser user, SignInOrigin origin, CancellationToken cancellationToken)
    {
        if (Throttled(throttle.FromAddress(origin.Address), "this address", origin) is { } throttled)
        {
            return throttled;
        }

        if (await applications.FindByIdAsync(applicationId, cancellationToken) is null || user.Email is null || !await IsMemberAsync(applicationId, user.Email, cancellationToken))
        {
            return new Problem(ProblemKind.Forbidden, "NotAMember", "You are not a member of that application.");
        }

        if (await accounts.IsLockedOutAsync(user))
        {
            await RecordAsync(applicationId, "lockedOut", user.Email, StatusCodes.Forbidden, origin);
            return LockedOut;
        }

        return await accounts.GetTwoFactorEnabledAsync(user) && (await accounts.GetValidTwoFactorProvidersAsync(user)).Count > 0
            ? new SignInStep(user, RequiresTwoFactor: true, [])
            : await SignedInAsync(applicationId, user, origin);
    }

    /// <summary>
    /// Single sign-on: the provider vouched for <paramref name="verifiedEmail"/> (null when it did not give a verified
    /// one); the person gets a session if the application has them as an email member, like a password sign-in, without
    /// a local account. Answers the member's email.
    /// </summary>
    public async Task<Outcome<string>> SingleSignOnAsync(string applicationId, string? verifiedEmail, SignInOrigin origin, CancellationToken cancellationToken)
    {
        if (verifiedEmail is null || !await IsMemberAsync(applicationId, verifiedEmail, cancellationToken))
        {
            await RecordAsync(applicationId, "signInFailed", verifiedEmail ?? "", StatusCodes.Forbidden, origin);
            return new Problem(ProblemKind.Forbidden, "NotAMember", "The provider signed you in, but you are not a member of this application.");
        }

        await RecordAsync(applicationId, "signedIn", verifiedEmail, StatusCodes.Ok, origin);
        return verifiedEmail;
    }

    /// <summary>
    /// A new authenticator key for a signed-in account. When two-factor sign-in is on, the session alone does not
    /// replace the active authenticator: <paramref name="proof"/> must hold the password or a current code, and a wrong
    /// proof counts towards lockout.
    /// </summary>
    public async Task<Outcome<AuthenticatorKey>> ReplaceAuthenticatorAsync(CentrumUser user, AccountProof? proof)
    {
        if (await accounts.GetTwoFactorEnabledAsync(user))
        {
            if (proof is null || (proof.Password is null) == (proof.Code is null))
            {
                return Problem.Invalid("Two-factor sign-in is on: replacing the authenticator needs {\"password\": string} or {\"code\": string} (a current code).");
            }

            if (await accounts.IsLockedOutAsync(user))
            {
                return LockedOut;
            }

            var proven = proof.Password is not null
                ? await accounts.CheckPasswordAsync(user, proof.Password)
                : await accounts.VerifyTwoFactorTokenAsync(user, accounts.Options.Tokens.AuthenticatorTokenProvider, proof.Code!.Replace(" ", "", StringComparison.Ordinal));
            if (!proven)
            {
                await accounts.AccessFailedAsync(user);
                return new Problem(ProblemKind.Forbidden, "InvalidCredentials", "The password or code is not valid; the authenticator was not replaced.");
            }
        }

        if (!(await accounts.ResetAuthenticatorKeyAsync(user)).Succeeded)
        {
            return AccountChanged;
        }

        var key = (await accounts.GetAuthenticatorKeyAsync(user))!;
        return new AuthenticatorKey(key, $"otpauth://totp/{UrlEncoder.Default.Encode("Centrum:" + user.Email)}?secret={key}&issuer=Centrum&digits=6");
    }

    /// <summary>Turns two-factor sign-in on once the account proves it has the key (a current code); answers the recovery codes, shown once.</summary>
    public async Task<Outcome<IReadOnlyList<string>>> EnableTwoFactorAsync(CentrumUser user, string code)
    {
        if (!await accounts.VerifyTwoFactorTokenAsync(user, accounts.Options.Tokens.AuthenticatorTokenProvider, code.Replace(" ", "", StringComparison.Ordinal)))
        {
            return Problem.Invalid("The code does not match the authenticator key.");
        }

        if (!(await accounts.SetTwoFactorEnabledAsync(user, true)).Succeeded)
        {
            return AccountChanged;
        }

        return (await accounts.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodes))!.ToList();
    }

    private async Task<bool> IsMemberAsync(string applicationId, string email, CancellationToken cancellationToken) =>
        (await members.RolesOfAsync(applicationId, email, cancellationToken)).Count > 0;

    /// <summary>The session names the application, so every request knows which membership's roles apply.</summary>
    private async Task<Outcome<SignInStep>> SignedInAsync(string applicationId, CentrumUser user, SignInOrigin origin)
    {
        var claims = new List<Claim> { new(CentrumClaims.Application, applicationId) };
        if (await accounts.GetTwoFactorEnabledAsync(user))
        {
            claims.Add(new Claim("amr", "mfa"));
        }

        await RecordAsync(applicationId, "signedIn", user.Email!, StatusCodes.Ok, origin);
        return new SignInStep(user, RequiresTwoFactor: false, claims);
    }

    private async Task<Outcome<SignInStep>> FailedAsync(string applicationId, CentrumUser user, SignInOrigin origin, bool countsTowardsLockout)
    {
        if (countsTowardsLockout)
        {
            await accounts.AccessFailedAsync(user);
            if (await accounts.IsLockedOutAsync(user))
            {
                await RecordAsync(applicationId, "lockedOut", user.Email!, StatusCodes.Forbidden, origin);
                return LockedOut;
            }
        }

        await RecordAsync(applicationId, "signInFailed", user.Email!, StatusCodes.Unauthorized, origin);
        return InvalidCredentials;
    }

    /// <summary>RFC 6585 §4: too many requests, with the time until the allowance refills.</summary>
    private Problem? Throttled(TimeSpan? retryAfter, string source, SignInOrigin origin)
    {
        if (retryAfter is not { } wait)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        Log.SignInThrottled(logger, source, origin.Address?.ToString(), seconds);
        return new Problem(ProblemKind.TooManyRequests, "TooManyRequests", $"Too many sign-in attempts from {source}; retry after {seconds} s.") { RetryAfter = TimeSpan.FromSeconds(seconds) };
    }

    private Task RecordAsync(string applicationId, string action, string email, int outcome, SignInOrigin origin)
    {
        var remote = origin.Address?.ToString();
        switch (action)
        {
            case "signedIn":
                Log.SignedIn(logger, applicationId, email, remote);
                break;
            case "lockedOut":
                Log.LockedOut(logger, applicationId, email, remote);
                break;
            default:
                Log.SignInFailed(logger, applicationId, email, remote);
                break;
        }

        return audit.RecordAsync(applicationId, new AuditEntry(action, "user", email, "session", null, origin.Method, origin.Path, outcome, remote), CancellationToken.None);
    }

    /// <summary>The audit log records how an attempt ended as the HTTP status REST answers it with.</summary>
    private static class StatusCodes
    {
        public const int Ok = 200;
        public const int Unauthorized = 401;
        public const int Forbidden = 403;
    }
}
