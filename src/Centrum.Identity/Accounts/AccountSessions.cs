using System.Security.Claims;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;

namespace Centrum.Identity.Accounts;

/// <summary>What a sign-in step answered: signed in, or waiting for the second factor.</summary>
public sealed record SignInAnswer(bool SignedIn, bool RequiresTwoFactor);

/// <summary>The account a session cookie names, opaque outside the identity area (which alone reads its users).</summary>
public sealed class SignedInAccount
{
    internal SignedInAccount(CentrumUser user) => User = user;

    internal CentrumUser User { get; }
}

/// <summary>
/// The cookies of a browser sign-in, around <see cref="AccountSignIn"/>'s rules: the two-factor cookie that carries the
/// account from the password step to the second factor, and the session issued with the step's claims. Every protocol
/// head that signs people in (REST's account endpoints, the web application's pages) goes through here, so none of them
/// names the identity area's users or ASP.NET Core Identity's managers.
/// </summary>
public sealed class AccountSessions(AccountSignIn accounts, SignInManager<CentrumUser> signIn)
{
    public async Task<Outcome<SignInAnswer>> PasswordAsync(
        HttpContext context, string applicationId, string email, string password, SignInOrigin origin, CancellationToken cancellationToken) =>
        await IssueAsync(context, await accounts.PasswordAsync(applicationId, email, password, origin, cancellationToken));

    public async Task<Outcome<SignInAnswer>> SecondFactorAsync(
        HttpContext context, string applicationId, string code, bool recovery, SignInOrigin origin, CancellationToken cancellationToken)
    {
        // The first step left the account's id in Identity's two-factor cookie.
        var pending = await context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var userId = pending.Succeeded ? pending.Principal.FindFirstValue(ClaimTypes.Name) : null;
        return await IssueAsync(context, await accounts.SecondFactorAsync(applicationId, userId, code, recovery, origin, cancellationToken));
    }

    /// <summary>
    /// Moves the request's session to <paramref name="applicationId"/> (<see cref="AccountSignIn.SwitchAsync"/>): a new
    /// session for it, or the two-factor cookie when the second factor is asked again (the old session holds until then).
    /// </summary>
    public async Task<Outcome<SignInAnswer>> SwitchAsync(HttpContext context, string applicationId, SignInOrigin origin, CancellationToken cancellationToken) =>
        await SignedInAsync(context) is { } account
            ? await IssueAsync(context, await accounts.SwitchAsync(applicationId, account.User, origin, cancellationToken))
            : new Problem(ProblemKind.Unauthorized, "InvalidCredentials", "Sign in first.");

    public Task SignOutAsync() => signIn.SignOutAsync();

    /// <summary>The account of the request's session, or <c>null</c> when it has none.</summary>
    public async Task<SignedInAccount?> SignedInAsync(HttpContext context)
    {
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded && await signIn.UserManager.GetUserAsync(session.Principal) is { } user ? new SignedInAccount(user) : null;
    }

    public Task<Outcome<AuthenticatorKey>> ReplaceAuthenticatorAsync(SignedInAccount account, AccountProof? proof) =>
        accounts.ReplaceAuthenticatorAsync(account.User, proof);

    public Task<Outcome<IReadOnlyList<string>>> EnableTwoFactorAsync(SignedInAccount account, string code) =>
        accounts.EnableTwoFactorAsync(account.User, code);

    /// <summary>
    /// Writes what the step asks for: the two-factor cookie that carries the account to the second step, or the
    /// session, issued with the step's claims so every request knows which membership's roles apply.
    /// </summary>
    private async Task<Outcome<SignInAnswer>> IssueAsync(HttpContext context, Outcome<SignInStep> step)
    {
        if (!step.Succeeded)
        {
            return step.Problem;
        }

        if (step.Value.RequiresTwoFactor)
        {
            var pending = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
            pending.AddClaim(new Claim(ClaimTypes.Name, step.Value.User.Id));
            await context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(pending));
            return new SignInAnswer(SignedIn: false, RequiresTwoFactor: true);
        }

        await context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIn.SignInWithClaimsAsync(step.Value.User, isPersistent: false, step.Value.Claims);
        return new SignInAnswer(SignedIn: true, RequiresTwoFactor: false);
    }
}
