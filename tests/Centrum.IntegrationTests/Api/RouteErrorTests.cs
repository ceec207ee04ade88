using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Requests no operation accepts are answered for what they are, in IoT Central's error shape, so a script does not
/// conclude it lacks a role: 404 for a path that does not exist, 405 for a method the path does not take, 400 naming a
/// malformed parameter. Without a valid token every path answers 401 alike and reveals nothing.
/// </summary>
public sealed class RouteErrorTests
{
    private const string Version = DeviceApi.Version;

    [Fact]
    public async Task Unknown_paths_and_wrong_methods_answer_404_and_405_not_403()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("dev-1", """{"displayName":"Kept"}""");

        await AssertErrorAsync(await admin.GetAsync($"api/nothing-here?{Version}"), HttpStatusCode.NotFound, "NotFound", "nothing-here");
        await AssertErrorAsync(await admin.GetAsync($"api/devices/dev-1/no-such-part?{Version}"), HttpStatusCode.NotFound, "NotFound", "no-such-part");
        await AssertErrorAsync(await admin.GetAsync("not-the-api"), HttpStatusCode.NotFound, "NotFound", "not-the-api");

        var post = await admin.PostAsync($"api/devices/dev-1?{Version}", CentrumServer.Json("{}"));
        await AssertErrorAsync(post, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "POST");
        Assert.Equal(["DELETE", "GET", "PATCH", "PUT"], post.Content.Headers.Allow.Order(StringComparer.Ordinal));
        await AssertErrorAsync(await admin.DeleteAsync($"api/devices?{Version}"), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "DELETE");

        // A role that lacks a permission still gets 403 on an operation that exists, and 404 on one that does not.
        using var operatorHttp = server.Http(await server.CreateTokenAsync("operator-1", role: "operator"));
        await AssertErrorAsync(await operatorHttp.GetAsync($"api/nothing-here?{Version}"), HttpStatusCode.NotFound, "NotFound", "nothing-here");
        await AssertErrorAsync(
            await operatorHttp.PutAsync($"api/apiTokens/minted?{Version}", CentrumServer.Json("""{"roles":[{"role":"ca310b8d-2f4a-44e0-a36e-957c202cd8d4"}]}""")),
            HttpStatusCode.Forbidden, "Forbidden", "roles");

        // Nothing changed, and the server serves on.
        var device = await admin.GetJsonAsync("api/devices/dev-1");
        Assert.Equal("Kept", (string?)device["displayName"]);
    }

    [Fact]
    public async Task Without_a_valid_token_every_path_answers_401_alike()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.AdminHttp().CreateDeviceAsync("dev-1");
        using var anonymous = server.Http();
        using var forged = server.Http("SharedAccessSignature sr=default&sig=forged&se=9999999999&skn=nobody");

        foreach (var client in new[] { anonymous, forged })
        {
            var known = await client.GetAsync($"api/devices/dev-1?{Version}");
            var unknown = await client.GetAsync($"api/nothing-here?{Version}");
            var wrongMethod = await client.PostAsync($"api/devices/dev-1?{Version}", CentrumServer.Json("{}"));
            var module = await client.GetAsync($"api/devices/dev-1/modules?{Version}");
            foreach (var response in new[] { known, unknown, wrongMethod, module })
            {
                await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", null);
                Assert.Null(response.Content.Headers.Allow.FirstOrDefault());
            }

            // The same answer whatever the path: nothing tells an unknown path from a known one.
            Assert.Equal(await MessageAsync(known), await MessageAsync(unknown));
            Assert.Equal(await MessageAsync(known), await MessageAsync(wrongMethod));
        }
    }

    [Fact]
    public async Task A_malformed_query_parameter_is_a_400_naming_it()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("dev-1");

        await AssertErrorAsync(await admin.GetAsync($"api/devices?maxpagesize=abc&{Version}"), HttpStatusCode.BadRequest, "BadRequest", "'maxpagesize'");
        await AssertErrorAsync(await admin.GetAsync($"api/devices?maxpagesize=99999999999999999999&{Version}"), HttpStatusCode.BadRequest, "BadRequest", "'maxpagesize'");
        await AssertErrorAsync(await admin.GetAsync($"api/devices?maxpagesize=0&{Version}"), HttpStatusCode.BadRequest, "BadRequest", "maxpagesize");

        var list = await admin.GetJsonAsync("api/devices?maxpagesize=5");
        Assert.Single(list["value"]!.AsArray());
    }

    [Fact]
    public async Task Module_routes_that_cannot_succeed_answer_NotFound_naming_the_module()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("edge-1");

        // A device that is not an IoT Edge device has no modules: its list is empty, and every route of a module of it
        // is a NotFound naming the module.
        Assert.Empty((await admin.GetJsonAsync("api/devices/edge-1/modules"))["value"]!.AsArray());
        await AssertErrorAsync(await admin.GetAsync($"api/devices/edge-1/modules/edgeAgent/components?{Version}"), HttpStatusCode.NotFound, "NotFound", "'edgeAgent'");
        await AssertErrorAsync(await admin.GetAsync($"api/devices/missing/modules?{Version}"), HttpStatusCode.NotFound, "NotFound", "Device 'missing' was not found");
        await AssertErrorAsync(await admin.GetAsync($"api/devices/edge-1/modules/edgeAgent/telemetry/temperature?{Version}"), HttpStatusCode.NotFound, "NotFound", "module 'edgeAgent'");
        await AssertErrorAsync(await admin.GetAsync($"api/devices/edge-1/modules/edgeAgent/properties?{Version}"), HttpStatusCode.NotFound, "NotFound", "'edgeAgent'");
    }

    private static async Task<string?> MessageAsync(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"];

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? mentions)
    {
        await RestAuthorizationTests.AssertErrorAsync(response, status, code);
        if (mentions is not null)
        {
            Assert.Contains(mentions, await MessageAsync(response), StringComparison.Ordinal);
        }
    }
}
