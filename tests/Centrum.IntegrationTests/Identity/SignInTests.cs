using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Local accounts: password sign-in into an application, two-factor sign-in with a TOTP code computed here (RFC 6238),
/// recovery codes, lockout after repeated failures, and membership changes that take effect on the next request.
/// </summary>
public class SignInTests
{
    public SignInTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected SignInTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    private const string Operator = "ae2c9854-393b-4f97-8c42-479d70ce626e";
    private const string Password = "Correct-horse-battery-9";

    [Fact]
    public async Task Password_then_authenticator_or_recovery_code_lockout_and_membership_changes_apply_at_once()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        Assert.Contains("created", await server.RunCliAsync("user", "create", "--email", "alice@example.com", "--password", Password), StringComparison.Ordinal);
        var weak = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunCliAsync("user", "create", "--email", "bob@example.com", "--password", "short"));
        Assert.Contains("12", weak.Message, StringComparison.Ordinal);

        // Not yet a member: refused like a wrong password.
        using var alice = server.Http();
        await AssertSignInAsync(alice, Password, HttpStatusCode.Unauthorized);
        var member = await admin.PutAsync($"api/users/alice?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"Alice@Example.com","roles":[{"role":"{{Operator}}"}]}"""));
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        Assert.Equal("alice@example.com", (string?)JsonNode.Parse(await member.Content.ReadAsStringAsync())!["email"]);

        // A password session acts with the member's roles: an operator reads devices but cannot manage tokens.
        var first = await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        Assert.True((bool)first["signedIn"]!);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"api/apiTokens?{DeviceApi.Version}")).StatusCode);

        // Two-factor sign-in: a key shown once, proven with a current code, then recovery codes.
        var setup = await PostAsync(alice, "account/twofactor/setup", "{}", HttpStatusCode.OK);
        var key = (string)setup["sharedKey"]!;
        Assert.StartsWith("otpauth://totp/", (string?)setup["authenticatorUri"], StringComparison.Ordinal);
        await PostAsync(alice, "account/twofactor/enable", """{"code":"000000"}""", HttpStatusCode.BadRequest);
        var enabled = await PostAsync(alice, "account/twofactor/enable", $$"""{"code":"{{Totp(key)}}"}""", HttpStatusCode.OK);
        var recoveryCodes = enabled["recoveryCodes"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(10, recoveryCodes.Count);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.PostAsync("account/signout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);

        // The password alone is not enough now; a wrong code is refused, the current one signs in.
        var second = await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        Assert.True((bool)second["requiresTwoFactor"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        await PostAsync(alice, "account/signin/twofactor", """{"code":"123456","application":"default"}""", HttpStatusCode.Unauthorized);
        await PostAsync(alice, "account/signin/twofactor", $$"""{"code":"{{Totp(key)}}","application":"default"}""", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);

        // A recovery code works once.
        await alice.PostAsync("account/signout", null);
        await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        await PostAsync(alice, "account/signin/recovery", $$"""{"code":"{{recoveryCodes[0]}}","application":"default"}""", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        await alice.PostAsync("account/signout", null);
        await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        await PostAsync(alice, "account/signin/recovery", $$"""{"code":"{{recoveryCodes[0]}}","application":"default"}""", HttpStatusCode.Unauthorized);
        await PostAsync(alice, "account/signin/recovery", $$"""{"code":"{{recoveryCodes[1]}}","application":"default"}""", HttpStatusCode.OK);

        // Removing the role (then the member) takes effect on the next request of the running session.
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"api/users/alice?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"84cc62c1-dabe-49d3-b16e-8b291232b285"}]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PutAsync($"api/devices/by-alice?{DeviceApi.Version}", CentrumServer.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/users/alice?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);

        // Five wrong passwords lock the account: the right one is refused afterwards.
        await admin.PutAsync($"api/users/alice?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"alice@example.com","roles":[{"role":"{{Operator}}"}]}"""));
        using var attacker = server.Http();
        for (var i = 0; i < 5; i++)
        {
            await AssertSignInAsync(attacker, "Wrong-password-" + i, i < 4 ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden);
        }

        var locked = await attacker.PostAsync("account/signin", CentrumServer.Json($$"""{"email":"alice@example.com","password":"{{Password}}","application":"default"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        Assert.Contains("LockedOut", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Sign-ins are audited; the authenticator key and recovery codes are not stored in clear.
        var audit = JsonNode.Parse(await (await admin.GetAsync($"api/auditLogs?maxpagesize=100&{DeviceApi.Version}")).Content.ReadAsStringAsync())!["value"]!.AsArray();
        Assert.Contains(audit, e => (string?)e!["messageType"] == "signedIn" && (string?)e["actor"]!["id"] == "alice@example.com");
        Assert.Contains(audit, e => (string?)e!["messageType"] == "lockedOut");
        await server.StopAsync();
        foreach (var file in Directory.EnumerateFiles(server.DataFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in recoveryCodes.Append(key))
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{Path.GetFileName(file)} holds a two-factor secret in clear");
            }
        }
    }

    [Fact]
    public async Task An_active_authenticator_is_replaced_only_with_the_password_or_a_current_code()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await server.RunCliAsync("user", "create", "--email", "alice@example.com", "--password", Password);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/users/alice?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"alice@example.com","roles":[{"role":"{{Operator}}"}]}"""))).StatusCode);
        using var alice = server.Http();
        await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        var key = (string)(await PostAsync(alice, "account/twofactor/setup", "{}", HttpStatusCode.OK))["sharedKey"]!;
        await PostAsync(alice, "account/twofactor/enable", $$"""{"code":"{{Totp(key)}}"}""", HttpStatusCode.OK);

        // A session alone (a borrowed browser, a stolen cookie) cannot swap the authenticator for its own.
        Assert.Equal("BadRequest", (string?)(await PostAsync(alice, "account/twofactor/setup", "{}", HttpStatusCode.BadRequest))["error"]!["code"]);
        Assert.Equal("InvalidCredentials", (string?)(await PostAsync(alice, "account/twofactor/setup", """{"password":"Wrong-password-1"}""", HttpStatusCode.Forbidden))["error"]!["code"]);
        await PostAsync(alice, "account/twofactor/setup", """{"code":"000000"}""", HttpStatusCode.Forbidden);

        // Nothing changed: the old key still signs in.
        await alice.PostAsync("account/signout", null);
        Assert.True((bool)(await AssertSignInAsync(alice, Password, HttpStatusCode.OK))["requiresTwoFactor"]!);
        await PostAsync(alice, "account/signin/twofactor", $$"""{"code":"{{Totp(key)}}","application":"default"}""", HttpStatusCode.OK);

        // With the password, the authenticator is replaced; the new key works and the old one does not.
        var replaced = (string)(await PostAsync(alice, "account/twofactor/setup", $$"""{"password":"{{Password}}"}""", HttpStatusCode.OK))["sharedKey"]!;
        Assert.NotEqual(key, replaced);
        await alice.PostAsync("account/signout", null);
        await AssertSignInAsync(alice, Password, HttpStatusCode.OK);
        await PostAsync(alice, "account/signin/twofactor", $$"""{"code":"{{Totp(key)}}","application":"default"}""", HttpStatusCode.Unauthorized);
        await PostAsync(alice, "account/signin/twofactor", $$"""{"code":"{{Totp(replaced)}}","application":"default"}""", HttpStatusCode.OK);

        // A current code proves the account too.
        var third = (string)(await PostAsync(alice, "account/twofactor/setup", $$"""{"code":"{{Totp(replaced)}}"}""", HttpStatusCode.OK))["sharedKey"]!;
        Assert.NotEqual(replaced, third);
    }

    private static async Task<JsonObject> AssertSignInAsync(HttpClient client, string password, HttpStatusCode expected) =>
        await PostAsync(client, "account/signin", $$"""{"email":"alice@example.com","password":"{{password}}","application":"default"}""", expected);

    private static async Task<JsonObject> PostAsync(HttpClient client, string path, string body, HttpStatusCode expected)
    {
        var response = await client.PostAsync(path, CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    private static string Totp(string key) => Authenticator.Totp(key);
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class SignInTestsOnPostgreSql() : SignInTests(MetadataStore.PostgreSql);
