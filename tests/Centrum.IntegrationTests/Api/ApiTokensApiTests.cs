using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>API tokens through REST: the secret is shown once, and deletion takes effect on the next request.</summary>
public class ApiTokensApiTests
{
    public ApiTokensApiTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected ApiTokensApiTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    private const string Operator = "ae2c9854-393b-4f97-8c42-479d70ce626e";

    [Fact]
    public async Task A_token_is_created_shown_once_used_and_revoked_at_once()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        var created = await admin.PutAsync($"api/apiTokens/ops-script?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{"role":"{{Operator}}"}]}"""));
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var secret = (string)body["token"]!;
        Assert.StartsWith("SharedAccessSignature sr=default&sig=", secret, StringComparison.Ordinal);

        using var operatorClient = server.Http(secret);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await operatorClient.PutAsync($"api/apiTokens/escalate?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"ca310b8d-2f4a-44e0-a36e-957c202cd8d4"}]}""")), HttpStatusCode.Forbidden, "Forbidden");

        var listed = await admin.GetJsonAsync("api/apiTokens");
        var entry = listed["value"]!.AsArray().Single(t => (string?)t!["id"] == "ops-script")!;
        Assert.Null(entry["token"]);
        Assert.Equal(Operator, (string?)entry["roles"]![0]!["role"]);
        Assert.Null((await admin.GetJsonAsync("api/apiTokens/ops-script"))["token"]);

        await RestAuthorizationTests.AssertErrorAsync(await admin.PutAsync($"api/apiTokens/ops-script?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{"role":"{{Operator}}"}]}""")), HttpStatusCode.Conflict, "Conflict");
        await RestAuthorizationTests.AssertErrorAsync(await admin.PutAsync($"api/apiTokens/bad-role?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"nope"}]}""")), HttpStatusCode.BadRequest, "BadRequest");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/apiTokens/ops-script?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await operatorClient.GetAsync($"api/devices?{DeviceApi.Version}"), HttpStatusCode.Unauthorized, "Unauthorized");

        var roles = await admin.GetJsonAsync("api/roles");
        Assert.Contains(roles["value"]!.AsArray(), r => (string?)r!["id"] == Operator && (string?)r["displayName"] == "Operator");
    }

    /// <summary>
    /// A token once verified is remembered by the server; what its role grants is not: a custom role's change applies to
    /// the token's next request, both ways, and the token's deletion refuses the next request even right after a hit.
    /// </summary>
    [Fact]
    public async Task A_remembered_token_follows_its_role_and_its_revocation_on_the_next_request()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("dev-1");
        async Task SetRoleAsync(string permissions) => Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(
            $"api/roles/reader?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"Reader","permissions":[{{permissions}}]}"""))).StatusCode);

        await SetRoleAsync("\"devicesRead\"");
        var issued = await admin.PutAsync($"api/apiTokens/reader?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"reader"}]}"""));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var reader = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);
        var path = $"api/devices/dev-1?{DeviceApi.Version}";
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);

        await SetRoleAsync("\"templatesRead\"");
        await RestAuthorizationTests.AssertErrorAsync(await reader.GetAsync(path), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"api/deviceTemplates?{DeviceApi.Version}")).StatusCode);

        await SetRoleAsync("\"devicesRead\"");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/apiTokens/reader?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await reader.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");

        // The same id issued again has a new key: the old token stays refused, the new one is good.
        var again = await admin.PutAsync($"api/apiTokens/reader?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"reader"}]}"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await reader.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
        using var renewed = server.Http((string)JsonNode.Parse(await again.Content.ReadAsStringAsync())!["token"]!);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync(path)).StatusCode);
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class ApiTokensApiTestsOnPostgreSql() : ApiTokensApiTests(MetadataStore.PostgreSql);
