using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Single sign-on against a real OpenID Connect provider the test starts (OpenIddict): a person signs in through the
/// browser flow (authorization code with PKCE, form post), and the provider's bearer tokens for a person and for a
/// service principal are accepted on the REST API with the roles their membership holds.
/// </summary>
public sealed partial class SingleSignOnTests
{
    private const string Operator = "ae2c9854-393b-4f97-8c42-479d70ce626e";
    private const string Viewer = "84cc62c1-dabe-49d3-b16e-8b291232b285";
    private const string Administrator = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4";

    [Fact]
    public async Task A_provider_signs_people_in_and_its_bearer_tokens_carry_member_roles()
    {
        var address = LoopbackAddresses.Next();
        await using var provider = await OpenIdProvider.StartAsync(new Uri($"https://{address}/signin-oidc"));
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Identity:OpenIdConnect:Authority"] = provider.Issuer.ToString(),
            ["Centrum:Identity:OpenIdConnect:ClientId"] = "centrum",
            ["Centrum:Identity:OpenIdConnect:ClientSecret"] = "centrum-secret",
            ["Centrum:Identity:OpenIdConnect:Audience"] = OpenIdProvider.Audience,
            ["Centrum:Identity:OpenIdConnect:RequireHttpsMetadata"] = "false",
        }, address);
        var admin = server.AdminHttp();
        await Member(admin, "carol", $$"""{"type":"email","email":"carol@example.com","roles":[{"role":"{{Operator}}"}]}""");
        await Member(admin, "robot", $$"""{"type":"servicePrincipal","tenantId":"tenant-1","objectId":"object-robot","roles":[{"role":"{{Viewer}}"}]}""");

        // The browser flow: Centrum → provider → form post back → session in the application.
        provider.SignedInEmail = "carol@example.com";
        using var browser = Browser(server);
        var session = await SignInThroughProviderAsync(browser, server);
        Assert.True((bool)session["signedIn"]!, session.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);

        // Someone the provider knows but the application does not is refused.
        provider.SignedInEmail = "mallory@example.com";
        using var stranger = Browser(server);
        var refused = await SignInThroughProviderAsync(stranger, server, expected: HttpStatusCode.Forbidden);
        Assert.Equal("NotAMember", (string?)refused["error"]!["code"]);

        // Bearer tokens: a person's (password grant of a script client) and a service principal's (client credentials).
        using var tokens = new HttpClient();
        var carolToken = await TokenAsync(tokens, provider, new() { ["grant_type"] = "password", ["username"] = "carol@example.com", ["password"] = "provider-password", ["client_id"] = "script", ["client_secret"] = "script-secret", ["scope"] = "email api" });
        var robotToken = await TokenAsync(tokens, provider, new() { ["grant_type"] = "client_credentials", ["client_id"] = "robot", ["client_secret"] = "robot-secret", ["scope"] = "api" });
        using var carol = Bearer(server, carolToken);
        using var robot = Bearer(server, robotToken);
        Assert.Equal(HttpStatusCode.OK, (await carol.PutAsync($"api/devices/by-carol?{DeviceApi.Version}", CentrumServer.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await robot.GetAsync($"api/devices/by-carol?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.DeleteAsync($"api/devices/by-carol?{DeviceApi.Version}")).StatusCode);

        // A person who is a member only through a directory group holds the group's roles.
        await Member(admin, "ops-group", $$"""{"type":"adGroup","tenantId":"tenant-1","objectId":"group-ops","roles":[{"role":"{{Operator}}"}]}""");
        provider.Groups["dave@example.com"] = ["group-ops"];
        var daveToken = await TokenAsync(tokens, provider, new() { ["grant_type"] = "password", ["username"] = "dave@example.com", ["password"] = "provider-password", ["client_id"] = "script", ["client_secret"] = "script-secret", ["scope"] = "email api" });
        using var dave = Bearer(server, daveToken);
        Assert.Equal(HttpStatusCode.OK, (await dave.PutAsync($"api/devices/by-dave?{DeviceApi.Version}", CentrumServer.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dave.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);

        // A forged or foreign token is refused; removing the member takes effect on the next request.
        using var forged = Bearer(server, robotToken[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/users/robot?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.GetAsync($"api/devices/by-carol?{DeviceApi.Version}")).StatusCode);
    }

    [Fact]
    public async Task Provider_tokens_cannot_claim_centrum_roles_and_unverified_emails_match_no_member()
    {
        var address = LoopbackAddresses.Next();
        await using var provider = await OpenIdProvider.StartAsync(new Uri($"https://{address}/signin-oidc"));
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Identity:OpenIdConnect:Authority"] = provider.Issuer.ToString(),
            ["Centrum:Identity:OpenIdConnect:ClientId"] = "centrum",
            ["Centrum:Identity:OpenIdConnect:ClientSecret"] = "centrum-secret",
            ["Centrum:Identity:OpenIdConnect:Audience"] = OpenIdProvider.Audience,
            ["Centrum:Identity:OpenIdConnect:RequireHttpsMetadata"] = "false",
        }, address);
        var admin = server.AdminHttp();
        await Member(admin, "carol", $$"""{"type":"email","email":"carol@example.com","roles":[{"role":"{{Operator}}"}]}""");
        await Member(admin, "eve", $$"""{"type":"email","email":"eve@example.com","roles":[{"role":"{{Administrator}}"}]}""");

        // Tokens that name Centrum's own claims: an Administrator role, an application, an API token id.
        (string, string)[] forged = [("centrum:role", Administrator), ("centrum:application", "default"), ("centrum:token", "admin-token")];
        provider.ExtraClaims["mallory@example.com"] = forged;
        provider.ExtraClaims["carol@example.com"] = forged;
        using var tokens = new HttpClient();
        using var mallory = Bearer(server, await PersonTokenAsync(tokens, provider, "mallory@example.com"));
        using var carol = Bearer(server, await PersonTokenAsync(tokens, provider, "carol@example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, (await mallory.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mallory.PutAsync($"api/apiTokens/minted?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{"role":"{{Administrator}}"}]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/apiTokens/minted?{DeviceApi.Version}")).StatusCode);

        // The same claims through the browser flow give no more than the membership.
        provider.SignedInEmail = "carol@example.com";
        using var browser = Browser(server);
        Assert.True((bool)(await SignInThroughProviderAsync(browser, server))["signedIn"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);

        // An email the provider did not verify matches no member, on a bearer token or in the browser.
        provider.UnverifiedEmails.Add("eve@example.com");
        using var eve = Bearer(server, await PersonTokenAsync(tokens, provider, "eve@example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);
        provider.SignedInEmail = "eve@example.com";
        using var eveBrowser = Browser(server);
        Assert.Equal("NotAMember", (string?)(await SignInThroughProviderAsync(eveBrowser, server, expected: HttpStatusCode.Forbidden))["error"]!["code"]);

        // Once verified, the same member is who the provider says.
        provider.UnverifiedEmails.Clear();
        using var verified = Bearer(server, await PersonTokenAsync(tokens, provider, "eve@example.com"));
        Assert.Equal(HttpStatusCode.OK, (await verified.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);
    }

    private static Task<string> PersonTokenAsync(HttpClient http, OpenIdProvider provider, string email) =>
        TokenAsync(http, provider, new() { ["grant_type"] = "password", ["username"] = email, ["password"] = "provider-password", ["client_id"] = "script", ["client_secret"] = "script-secret", ["scope"] = "email api" });

    private static async Task Member(HttpClient admin, string id, string body)
    {
        var response = await admin.PutAsync($"api/users/{id}?{DeviceApi.Version}", CentrumServer.Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client that keeps cookies per host and does not follow redirects, so the test walks the flow as a browser would.</summary>
    private static HttpClient Browser(CentrumServer server)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca);
        return new HttpClient(handler) { BaseAddress = server.BaseAddress };
    }

    private static async Task<JsonObject> SignInThroughProviderAsync(HttpClient browser, CentrumServer server, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var challenge = await browser.GetAsync("account/signin/oidc?application=default");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = await browser.GetAsync(challenge.Headers.Location);
        var form = await authorize.Content.ReadAsStringAsync();
        Assert.True(authorize.StatusCode == HttpStatusCode.OK, form);
        var action = WebUtility.HtmlDecode(FormAction().Match(form).Groups[1].Value);
        var fields = FormInput().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        Assert.StartsWith(server.BaseAddress.ToString(), action, StringComparison.Ordinal);
        var callback = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync());
        var complete = await browser.GetAsync(callback.Headers.Location);
        var text = await complete.Content.ReadAsStringAsync();
        Assert.True(complete.StatusCode == expected, $"{(int)complete.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<string> TokenAsync(HttpClient http, OpenIdProvider provider, Dictionary<string, string> form)
    {
        var response = await http.PostAsync(new Uri(provider.Issuer, "connect/token"), new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (string)JsonNode.Parse(text)!["access_token"]!;
    }

    /// <summary>A bearer caller addresses its application by host name, as IoT Central's {app}.azureiotcentral.com does.</summary>
    private static HttpClient Bearer(CentrumServer server, string token)
    {
        var client = server.Http();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Host = server.HubHostName;
        return client;
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormInput();
}
