using System.Globalization;
using System.Net;
using Centrum.Testing;
using Centrum.Identity.Accounts;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Identity.Tests;

/// <summary>
/// The sign-in rules are the identity area's, whoever shows the sign-in form: membership, lockout after repeated
/// failures, the second factor, replacing an authenticator, and throttling per address and per account. Accounts live
/// in the real ASP.NET Core Identity store on SQLite; no server and no cookies.
/// </summary>
public sealed class SignInRulesTests : IAsyncLifetime
{
    private const string App = IdentityStore.App;
    private const string Member = "ann@example.com";
    private const string Outsider = "bob@example.com";
    private const string Password = "Correct-horse-1";
    private static readonly SignInOrigin From = new(IPAddress.Parse("192.0.2.10"), "POST", "/account/signin");
    private IdentityStore _store = null!;

    public async Task InitializeAsync()
    {
        // Throttling is covered by its own store; here the allowances are out of the way.
        _store = await IdentityStore.StartAsync(new Dictionary<string, string?>
        {
            ["Centrum:Identity:SignIn:AttemptsPerAddress"] = "1000",
            ["Centrum:Identity:SignIn:AttemptsPerAccount"] = "1000",
        });
        await AddAccountAsync(_store, Member, member: true);
        await AddAccountAsync(_store, Outsider, member: false);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_member_with_the_right_password_is_signed_in_to_that_application()
    {
        var step = await SignInAsync(Member, Password);
        Assert.True(step.Succeeded, step.Problem?.Message);
        Assert.False(step.Value.RequiresTwoFactor);
        Assert.Contains(step.Value.Claims, c => c.Type == CentrumClaims.Application && c.Value == App);
    }

    [Fact]
    public async Task A_wrong_password_an_outsider_and_an_unknown_account_get_the_same_answer()
    {
        foreach (var (email, password) in new[] { (Member, "Wrong-password-1"), (Outsider, Password), ("nobody@example.com", Password) })
        {
            var refused = await SignInAsync(email, password);
            Assert.Equal(ProblemKind.Unauthorized, refused.Problem?.Kind);
            Assert.Equal("InvalidCredentials", refused.Problem!.Code);
        }

        var unknownApplication = await Scoped(a => a.PasswordAsync("no-such-app", Member, Password, From, CancellationToken.None));
        Assert.Equal(ProblemKind.Invalid, unknownApplication.Problem?.Kind);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too()
    {
        for (var attempt = 1; attempt < 5; attempt++)
        {
            Assert.Equal("InvalidCredentials", (await SignInAsync(Member, "Wrong-password-1")).Problem?.Code);
        }

        var locked = await SignInAsync(Member, "Wrong-password-1");
        Assert.Equal(ProblemKind.Forbidden, locked.Problem?.Kind);
        Assert.Equal("LockedOut", locked.Problem!.Code);
        Assert.Equal("LockedOut", (await SignInAsync(Member, Password)).Problem?.Code);
    }

    [Fact]
    public async Task With_two_factor_on_the_password_is_not_enough_until_a_code_completes_the_sign_in()
    {
        var key = await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, null));
        Assert.True(key.Succeeded);
        Assert.Equal(ProblemKind.Invalid, (await AsAccountAsync(Member, (a, user) => a.EnableTwoFactorAsync(user, "000000"))).Problem?.Kind);
        var recoveryCodes = await AsAccountAsync(Member, (a, user) => a.EnableTwoFactorAsync(user, Authenticator.Totp(key.Value.SharedKey)));
        Assert.Equal(AccountSignIn.RecoveryCodes, recoveryCodes.Value?.Count);

        var first = await SignInAsync(Member, Password);
        Assert.True(first.Value?.RequiresTwoFactor);
        Assert.Empty(first.Value!.Claims);
        var userId = first.Value.User.Id;

        var wrong = await Scoped(a => a.SecondFactorAsync(App, userId, WrongCode(key.Value.SharedKey), recovery: false, From, CancellationToken.None));
        Assert.Equal("InvalidCredentials", wrong.Problem?.Code);
        var noFirstStep = await Scoped(a => a.SecondFactorAsync(App, null, Authenticator.Totp(key.Value.SharedKey), recovery: false, From, CancellationToken.None));
        Assert.Equal(ProblemKind.Unauthorized, noFirstStep.Problem?.Kind);

        var completed = await Scoped(a => a.SecondFactorAsync(App, userId, Authenticator.Totp(key.Value.SharedKey), recovery: false, From, CancellationToken.None));
        Assert.True(completed.Succeeded, completed.Problem?.Message);
        Assert.Contains(completed.Value.Claims, c => c.Type == "amr" && c.Value == "mfa");

        // A recovery code signs in once.
        var code = recoveryCodes.Value![0];
        Assert.True((await Scoped(a => a.SecondFactorAsync(App, userId, code, recovery: true, From, CancellationToken.None))).Succeeded);
        Assert.Equal("InvalidCredentials", (await Scoped(a => a.SecondFactorAsync(App, userId, code, recovery: true, From, CancellationToken.None))).Problem?.Code);
    }

    [Fact]
    public async Task Switching_application_needs_membership_there_and_asks_the_second_factor_again()
    {
        const string Other = "app-2";
        await using (var db = await _store.Contexts.CreateDbContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = Other, DisplayName = "App 2", HubHostName = "app-2.localhost", IdScope = "0ne00000002" });
            await db.SaveChangesAsync();
        }

        // Not a member there (or no such application): refused alike, and the applications offered are the memberships.
        Assert.Equal("NotAMember", (await AsAccountAsync(Member, (a, user) => a.SwitchAsync(Other, user, From, CancellationToken.None))).Problem?.Code);
        Assert.Equal("NotAMember", (await AsAccountAsync(Member, (a, user) => a.SwitchAsync("no-such-app", user, From, CancellationToken.None))).Problem?.Code);
        Assert.Equal([App], await _store.Get<UserService>().ApplicationsOfAsync(Member, CancellationToken.None));
        var saved = await _store.Get<UserService>().SaveAsync(
            Other, "ann", new ApplicationUser("", "email", Member, null, null, [new RoleAssignment(BuiltInRoles.AppOperator)], ""), null, CallerHoldings.Operator, CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Problem?.Message);
        Assert.Equal([App, Other], await _store.Get<UserService>().ApplicationsOfAsync("ANN@example.com", CancellationToken.None));

        // A member: a session for the other application, without the password again.
        var switched = await AsAccountAsync(Member, (a, user) => a.SwitchAsync(Other, user, From, CancellationToken.None));
        Assert.True(switched.Succeeded, switched.Problem?.Message);
        Assert.False(switched.Value.RequiresTwoFactor);
        Assert.Contains(switched.Value.Claims, c => c.Type == CentrumClaims.Application && c.Value == Other);

        // With two-factor sign-in on, the second factor is asked again: no session yet.
        var key = await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, null));
        Assert.True((await AsAccountAsync(Member, (a, user) => a.EnableTwoFactorAsync(user, Authenticator.Totp(key.Value!.SharedKey)))).Succeeded);
        var second = await AsAccountAsync(Member, (a, user) => a.SwitchAsync(Other, user, From, CancellationToken.None));
        Assert.True(second.Value?.RequiresTwoFactor);
        Assert.Empty(second.Value!.Claims);

        // A locked account does not move either.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await SignInAsync(Member, "Wrong-password-1");
        }

        Assert.Equal("LockedOut", (await AsAccountAsync(Member, (a, user) => a.SwitchAsync(Other, user, From, CancellationToken.None))).Problem?.Code);
    }

    [Fact]
    public async Task An_active_authenticator_is_replaced_only_with_the_password_or_a_current_code()
    {
        var key = (await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, null))).Value!;
        Assert.True((await AsAccountAsync(Member, (a, user) => a.EnableTwoFactorAsync(user, Authenticator.Totp(key.SharedKey)))).Succeeded);

        Assert.Equal(ProblemKind.Invalid, (await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, null))).Problem?.Kind);
        var wrongPassword = await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, new AccountProof("Wrong-password-1", null)));
        Assert.Equal(ProblemKind.Forbidden, wrongPassword.Problem?.Kind);
        Assert.Equal("InvalidCredentials", wrongPassword.Problem!.Code);
        var wrongCode = await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, new AccountProof(null, WrongCode(key.SharedKey))));
        Assert.Equal("InvalidCredentials", wrongCode.Problem?.Code);
        Assert.Equal(ProblemKind.Invalid, (await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, new AccountProof(Password, "123456")))).Problem?.Kind);

        // The refused attempts left the key as it was: a current code of it proves the account.
        var replaced = await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, new AccountProof(null, Authenticator.Totp(key.SharedKey))));
        Assert.True(replaced.Succeeded, replaced.Problem?.Message);
        Assert.NotEqual(key.SharedKey, replaced.Value.SharedKey);
        Assert.True((await AsAccountAsync(Member, (a, user) => a.ReplaceAuthenticatorAsync(user, new AccountProof(Password, null)))).Succeeded);
    }

    [Fact]
    public async Task Attempts_beyond_the_allowance_are_refused_with_a_retry_time_per_account_and_per_address()
    {
        await using var store = await IdentityStore.StartAsync(new Dictionary<string, string?>
        {
            ["Centrum:Identity:SignIn:AttemptsPerAddress"] = "5",
            ["Centrum:Identity:SignIn:AttemptsPerAccount"] = "3",
            ["Centrum:Identity:SignIn:Window"] = "00:10:00",
        });
        await AddAccountAsync(store, Member, member: true);
        await AddAccountAsync(store, Outsider, member: true);
        Task<Outcome<SignInStep>> Attempt(string email, string password, string address) =>
            Scoped(store, a => a.PasswordAsync(App, email, password, From with { Address = IPAddress.Parse(address) }, CancellationToken.None));

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal("InvalidCredentials", (await Attempt(Member, "Wrong-password-1", "192.0.2.1")).Problem?.Code);
        }

        // The account's allowance is spent: even the right password from another address waits, and nothing is checked.
        var atAccount = await Attempt(Member, Password, "192.0.2.2");
        Assert.Equal(ProblemKind.TooManyRequests, atAccount.Problem?.Kind);
        Assert.InRange(atAccount.Problem!.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.Contains("this account", atAccount.Problem.Message, StringComparison.Ordinal);

        // Another account from the first address uses what is left of that address's allowance (5 − 3 = 2 attempts).
        Assert.True((await Attempt(Outsider, Password, "192.0.2.1")).Succeeded);
        Assert.True((await Attempt(Outsider, Password, "192.0.2.1")).Succeeded);
        var atAddress = await Attempt(Outsider, Password, "192.0.2.1");
        Assert.Equal(ProblemKind.TooManyRequests, atAddress.Problem?.Kind);
        Assert.Contains("this address", atAddress.Problem!.Message, StringComparison.Ordinal);
        Assert.NotNull(atAddress.Problem.RetryAfter);
    }

    [Fact]
    public async Task A_spent_allowance_refills_after_its_window()
    {
        await using var store = await IdentityStore.StartAsync(new Dictionary<string, string?>
        {
            ["Centrum:Identity:SignIn:AttemptsPerAccount"] = "1",
            ["Centrum:Identity:SignIn:Window"] = "00:00:05",
        });

        // An unknown account: no password is hashed, so the attempts are quick next to the window.
        Task<Outcome<SignInStep>> Attempt() => Scoped(store, a => a.PasswordAsync(App, "nobody@example.com", Password, From, CancellationToken.None));

        Assert.Equal("InvalidCredentials", (await Attempt()).Problem?.Code);
        var throttled = await Attempt();
        Assert.Equal(ProblemKind.TooManyRequests, throttled.Problem?.Kind);
        Assert.InRange(throttled.Problem!.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        // System.Threading.RateLimiting refills from its own clock (it takes no TimeProvider), so the test waits for the
        // condition with the suite's one condition wait, bounded well past the window.
        await Wait.UntilAsync(async () => (await Attempt()).Problem?.Code == "InvalidCredentials", TimeSpan.FromSeconds(30), "the account's allowance refills");
    }

    private static async Task AddAccountAsync(IdentityStore store, string email, bool member)
    {
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserManager<CentrumUser>>()
                .CreateAsync(new CentrumUser { UserName = email, Email = email, EmailConfirmed = true }, Password);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        if (member)
        {
            var saved = await store.Get<UserService>().SaveAsync(
                App, email.Split('@')[0], new ApplicationUser("", "email", email, null, null, [new RoleAssignment(BuiltInRoles.AppOperator)], ""), null, CallerHoldings.Operator, CancellationToken.None);
            Assert.True(saved.Succeeded, saved.Problem?.Message);
        }
    }

    private Task<Outcome<SignInStep>> SignInAsync(string email, string password) =>
        Scoped(a => a.PasswordAsync(App, email, password, From, CancellationToken.None));

    /// <summary>
    /// As a signed-in session does: the account is read in the call's own scope, the unit of work Identity saves it in.
    /// </summary>
    private async Task<T> AsAccountAsync<T>(string email, Func<AccountSignIn, CentrumUser, Task<T>> act)
    {
        await using var scope = _store.Services.CreateAsyncScope();
        var user = (await scope.ServiceProvider.GetRequiredService<UserManager<CentrumUser>>().FindByEmailAsync(email))!;
        return await act(scope.ServiceProvider.GetRequiredService<AccountSignIn>(), user);
    }

    private Task<T> Scoped<T>(Func<AccountSignIn, Task<T>> act) => Scoped(_store, act);

    /// <summary>Each call in its own scope, as each request has its own.</summary>
    private static async Task<T> Scoped<T>(IdentityStore store, Func<AccountSignIn, Task<T>> act)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<AccountSignIn>());
    }

    /// <summary>A code no step near now produces: the authenticator accepts the codes of neighbouring 30-second steps.</summary>
    private static string WrongCode(string key)
    {
        var near = Enumerable.Range(-3, 7).Select(step => Authenticator.Totp(key, step)).ToHashSet();
        return Enumerable.Range(0, 1_000_000).Select(n => n.ToString("D6", CultureInfo.InvariantCulture)).First(code => !near.Contains(code));
    }
}
