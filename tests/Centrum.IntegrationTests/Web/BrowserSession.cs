using System.Collections.Concurrent;
using System.Net;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// One browser context (its own cookies) on one server, with the steps most browser tests begin with: make an account
/// a member with a role, sign it in through the sign-in page. Requests to any host but the server are refused and
/// recorded (<see cref="ForeignRequests"/>): the web application must need nothing from outside.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>The password of the accounts the tests make (the identity area asks for 12 characters at least).</summary>
    public const string Password = "Correct-horse-battery-9";

    private readonly ConcurrentQueue<string> _foreign = new();
    private readonly ConcurrentQueue<string> _failed = new();

    private BrowserSession(CentrumServer server, IBrowserContext context, IPage page)
    {
        Server = server;
        Context = context;
        Page = page;
    }

    public CentrumServer Server { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Requests the page tried to make to another host (refused).</summary>
    public IReadOnlyCollection<string> ForeignRequests => _foreign;

    /// <summary>
    /// The server's certificate is issued by the test's own CA, which a browser context cannot be given: it is checked
    /// here against that CA (as a device given the CA checks it), and the context then ignores certificate errors.
    /// The context reaches no host but the server, so that is all it ignores them for.
    /// </summary>
    internal static async Task<BrowserSession> OpenAsync(IBrowser browser, CentrumServer server)
    {
        using (var http = server.Http())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("signin")).StatusCode);
        }

        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            BaseURL = server.BaseAddress.ToString(),
        });
        var session = new BrowserSession(server, context, await context.NewPageAsync());
        session.Page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                session._failed.Enqueue($"{response.Request.Method} {response.Url}: {response.Status}");
            }
        };
        await context.RouteAsync("**/*", route =>
        {
            if (new Uri(route.Request.Url).Host == server.Address.ToString())
            {
                return route.ContinueAsync();
            }

            session._foreign.Enqueue(route.Request.Url);
            return route.AbortAsync();
        });
        return session;
    }

    /// <summary>
    /// A local account that is a member of <paramref name="application"/> with <paramref name="role"/> (a role id),
    /// assigned within <paramref name="organization"/> when one is named.
    /// </summary>
    public async Task<string> CreateMemberAsync(string role, string? email = null, string application = "default", string? organization = null)
    {
        email ??= $"person-{Guid.NewGuid():N}"[..20] + "@example.com";
        var created = await Server.RunCliAsync("user", "create", "--email", email, "--password", Password);
        Assert.Contains("created", created, StringComparison.Ordinal);
        await AddMemberAsync(email, role, application, organization);
        return email;
    }

    /// <summary>Makes the account <paramref name="email"/> a member of <paramref name="application"/> with <paramref name="role"/>.</summary>
    public async Task AddMemberAsync(string email, string role, string application = "default", string? organization = null)
    {
        var admin = await Server.AdminHttpAsync(application);
        var id = email.Split('@')[0];
        var assignment = organization is null ? $$"""{"role":"{{role}}"}""" : $$"""{"role":"{{role}}","organization":"{{organization}}"}""";
        var member = await admin.PutAsync($"api/users/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"{{email}}","roles":[{{assignment}}]}"""));
        Assert.True(member.IsSuccessStatusCode, await member.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Turns two-factor sign-in on for <paramref name="email"/> as its owner would (REST's account endpoints, in a client
    /// of its own): answers the authenticator's shared key, from which <see cref="Authenticator.Totp"/> computes codes.
    /// </summary>
    public async Task<string> EnableTwoFactorAsync(string email, string application = "default")
    {
        using var owner = Server.Http();
        var signedIn = await owner.PostAsync("account/signin", CentrumServer.Json($$"""{"email":"{{email}}","password":"{{Password}}","application":"{{application}}"}"""));
        Assert.True(signedIn.IsSuccessStatusCode, await signedIn.Content.ReadAsStringAsync());
        var setup = await owner.PostAsync("account/twofactor/setup", CentrumServer.Json("{}"));
        var key = (string)System.Text.Json.Nodes.JsonNode.Parse(await setup.Content.ReadAsStringAsync())!["sharedKey"]!;
        var enabled = await owner.PostAsync("account/twofactor/enable", CentrumServer.Json($$"""{"code":"{{Authenticator.Totp(key)}}"}"""));
        Assert.True(enabled.IsSuccessStatusCode, await enabled.Content.ReadAsStringAsync());
        return key;
    }

    /// <summary>Fills and sends the sign-in page's code step.</summary>
    public async Task SubmitCodeAsync(string code)
    {
        await Page.GetByLabel("Authenticator code").FillAsync(code);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
    }

    /// <summary>The navigation drawer's link named <paramref name="title"/>.</summary>
    public ILocator NavLink(string title) => Page.GetByTestId("nav").GetByRole(AriaRole.Link, new() { Name = title, Exact = true });

    /// <summary>Fills and sends the sign-in page's password step; the caller checks where it led.</summary>
    public async Task SubmitPasswordAsync(string email, string password = Password, string application = "default")
    {
        await Page.GotoAsync("signin?application=" + Uri.EscapeDataString(application));
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>Signs <paramref name="email"/> in with its password and waits until the application's page is interactive.</summary>
    public async Task SignInAsync(string email, string application = "default")
    {
        await SubmitPasswordAsync(email, Password, application);
        await WaitUntilInteractiveAsync();
    }

    /// <summary>A new member with <paramref name="role"/>, signed in; answers its email.</summary>
    public async Task<string> SignInAsAsync(string role = BuiltInRoles.AppOperator)
    {
        var email = await CreateMemberAsync(role);
        await SignInAsync(email);
        return email;
    }

    /// <summary>
    /// The page's circuit is connected: the layout marks itself once it has rendered interactively (prerendered HTML
    /// shows the same content but answers no clicks).
    /// </summary>
    public async Task WaitUntilInteractiveAsync()
    {
        try
        {
            await Assertions.Expect(Page.Locator("[data-interactive=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            // Where the page stands says why (a sign-in refusal, a page that never connected).
            throw new InvalidOperationException(
                $"The page at {Page.Url} did not become interactive; it shows: {await Page.Locator("body").InnerTextAsync()}; failed responses: {string.Join(", ", _failed)}; the server's last lines:\n{string.Join('\n', Server.Log.Split('\n').TakeLast(15))}", e);
        }
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
