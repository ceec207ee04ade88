using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>REST refusals carry IoT Central's status codes and error shape.</summary>
public sealed class RestAuthorizationTests
{
    [Fact]
    public async Task Missing_bad_expired_and_foreign_tokens_are_refused()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("dev-1");
        var path = $"api/devices/dev-1?{DeviceApi.Version}";

        using (var anonymous = server.Http())
        {
            await AssertErrorAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        var token = await server.CreateTokenAsync("reader");
        var tampered = token.Replace("sig=", "sig=A", StringComparison.Ordinal);
        using (var bad = server.Http(tampered))
        {
            await AssertErrorAsync(await bad.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var garbage = server.Http("SharedAccessSignature nonsense"))
        {
            await AssertErrorAsync(await garbage.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        // Issued through REST, not the command line: a process start can take seconds on a loaded machine, longer than
        // the token lives.
        var issue = await server.AdminHttp().PutAsync($"api/apiTokens/short?{DeviceApi.Version}", CentrumServer.Json(
            new JsonObject { ["roles"] = new JsonArray(new JsonObject { ["role"] = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4" }), ["expiry"] = DateTimeOffset.UtcNow.AddSeconds(6).ToString("O") }.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, issue.StatusCode);
        var shortLived = (string)JsonNode.Parse(await issue.Content.ReadAsStringAsync())!["token"]!;
        using (var expiring = server.Http(shortLived))
        {
            Assert.Equal(HttpStatusCode.OK, (await expiring.GetAsync(path)).StatusCode);
            await Wait.UntilAsync(async () => (await expiring.GetAsync(path)).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(20), "the token expires");
            await AssertErrorAsync(await expiring.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var noVersion = server.Http(token))
        {
            await AssertErrorAsync(await noVersion.GetAsync("api/devices/dev-1"), HttpStatusCode.BadRequest, "InvalidApiVersion");
        }
    }

    [Fact]
    public async Task A_token_reaches_only_its_own_application()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.AdminHttp().CreateDeviceAsync("shared-id");
        await server.RunCliAsync("app", "create", "--id", "other", "--name", "Other application");
        var otherToken = await server.CreateTokenAsync("other-admin", application: "other");
        using var other = server.Http(otherToken);

        // The other application has no such device, even though the default one does.
        await AssertErrorAsync(await other.GetAsync($"api/devices/shared-id?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        var list = JsonNode.Parse(await other.GetStringAsync($"api/devices?{DeviceApi.Version}"))!;
        Assert.Empty(list["value"]!.AsArray());

        // The same device id may exist in both applications, apart.
        await other.CreateDeviceAsync("shared-id", """{"displayName":"Other's"}""");
        var mine = await server.AdminHttp().GetJsonAsync("api/devices/shared-id");
        Assert.Equal("shared-id", (string?)mine["displayName"]);

        // A request addressed to the default application's host name with the other application's token is refused.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/devices/shared-id?{DeviceApi.Version}");
        request.Headers.Host = server.HubHostName;
        await AssertErrorAsync(await other.SendAsync(request), HttpStatusCode.Forbidden, "Forbidden");
    }

    /// <summary>
    /// Addressed by IP address (no application's hub host name), the server answers from the token's own application
    /// alone, on every request and not only the first; addressed by another application's host name, it refuses.
    /// </summary>
    [Fact]
    public async Task Addressed_by_IP_address_a_token_stays_in_its_own_application()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.AdminHttp().CreateDeviceAsync("only-default");
        await server.RunCliAsync("app", "create", "--id", "other", "--name", "Other application");
        using var other = server.Http(await server.CreateTokenAsync("other-admin", application: "other"));
        var path = $"api/devices/only-default?{DeviceApi.Version}";
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", server.BaseAddress.Host);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.AdminHttp().GetAsync(path)).StatusCode);
            await AssertErrorAsync(await other.GetAsync(path), HttpStatusCode.NotFound, "NotFound");

            using var viaDefaultHost = new HttpRequestMessage(HttpMethod.Get, path);
            viaDefaultHost.Headers.Host = server.HubHostName;
            await AssertErrorAsync(await other.SendAsync(viaDefaultHost), HttpStatusCode.Forbidden, "Forbidden");
        }
    }

    [Fact]
    public async Task A_role_without_the_permission_is_forbidden()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.AdminHttp().CreateDeviceAsync("dev-1");
        using var viewer = server.Http(await server.CreateTokenAsync("viewer", role: "org-viewer"));

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"api/devices/dev-1?{DeviceApi.Version}")).StatusCode);
        await AssertErrorAsync(await viewer.DeleteAsync($"api/devices/dev-1?{DeviceApi.Version}"), HttpStatusCode.Forbidden, "Forbidden");
        await AssertErrorAsync(await viewer.GetAsync($"api/devices/dev-1/credentials?{DeviceApi.Version}"), HttpStatusCode.Forbidden, "Forbidden");
        await AssertErrorAsync(await viewer.PutAsync($"api/devices/dev-2?{DeviceApi.Version}", CentrumServer.Json("{}")), HttpStatusCode.Forbidden, "Forbidden");

        // Jobs: a viewer reads them, but starts, stops, resumes and re-runs none.
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"api/jobs?{DeviceApi.Version}")).StatusCode);
        await AssertErrorAsync(await viewer.PutAsync($"api/jobs/job-1?{DeviceApi.Version}", CentrumServer.Json("{}")), HttpStatusCode.Forbidden, "Forbidden");
        await AssertErrorAsync(await viewer.PostAsync($"api/jobs/job-1/stop?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
        await AssertErrorAsync(await viewer.PostAsync($"api/jobs/job-1/resume?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
        await AssertErrorAsync(await viewer.PutAsync($"api/jobs/job-1/rerun/job-2?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
    }

    internal static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.False(string.IsNullOrEmpty((string?)error["requestId"]));
        Assert.True(DateTimeOffset.TryParse((string?)error["time"], out _));
        Assert.Equal(code, response.Headers.GetValues("x-ms-error-code").Single());
    }
}
