using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// The authorization matrix: every REST operation the server maps (endpoint-permissions.txt, itself checked against
/// the server) × each predefined role and a custom role × a device in the caller's own organization, one in another
/// organization, and a token of another application. Expected outcomes come from role-permissions.txt, not from the
/// server's code: refused (403) without the permission; a device or a job outside the caller's organizations is not
/// there (404); otherwise the operation is let through (what it then answers is its own business). Bodies are sent as
/// text/plain so operations stop at body validation, after authorization, without changing anything.
/// </summary>
public sealed partial class AuthorizationMatrixTests
{
    private static readonly Dictionary<string, string> RoleIds = new()
    {
        ["admin"] = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4",
        ["builder"] = "344138e9-8de4-4497-8c54-5237e96d6aaf",
        ["operator"] = "ae2c9854-393b-4f97-8c42-479d70ce626e",
        ["org-admin"] = "c495eb57-eb18-489e-9802-62c474e5645c",
        ["org-operator"] = "b4935647-30e4-4ed3-9074-dcac66c2f8ef",
        ["org-viewer"] = "84cc62c1-dabe-49d3-b16e-8b291232b285",
        ["custom"] = "device-reader",
    };

    private static readonly string[] CustomPermissions = ["DevicesRead", "DeviceDataRead", "TemplatesRead"];

    [Fact]
    public async Task Every_operation_for_every_role_in_its_own_organization_another_organization_and_another_application()
    {
        var table = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "role-permissions.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        foreach (var permission in CustomPermissions)
        {
            table[permission].Add("custom");
        }

        var operations = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "endpoint-permissions.txt"))
            .Where(l => l.StartsWith("GET /api/", StringComparison.Ordinal) || l.StartsWith("PUT /api/", StringComparison.Ordinal) || l.StartsWith("PATCH /api/", StringComparison.Ordinal)
                || l.StartsWith("POST /api/", StringComparison.Ordinal) || l.StartsWith("DELETE /api/", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(p => (Method: p[0], Route: p[1], Permission: p[2]))
            .ToList();
        // Operations open to every member (personal dashboards) need no permission; every role, the custom one too, passes.
        table[Centrum.Identity.Authorization.MemberPolicy.Name] = RoleIds.Keys.ToHashSet();
        Assert.All(operations, o => Assert.True(table.ContainsKey(o.Permission), $"{o.Method} {o.Route} needs {o.Permission}, which role-permissions.txt does not list"));

        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await server.RunCliAsync("app", "create", "--id", "other");
        foreach (var (id, parent) in new[] { ("north", default(string)), ("north-east", "north"), ("south", null) })
        {
            var body = parent is null ? $$"""{"displayName":"{{id}}"}""" : $$"""{"displayName":"{{id}}","parent":"{{parent}}"}""";
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{id}?{DeviceApi.Version}", CentrumServer.Json(body))).StatusCode);
        }

        var custom = await admin.PutAsync($"api/roles/device-reader?{DeviceApi.Version}", CentrumServer.Json(
            $$"""{"displayName":"Device reader","permissions":[{{string.Join(",", CustomPermissions.Select(p => $"\"{char.ToLowerInvariant(p[0])}{p[1..]}\""))}}]}"""));
        Assert.True(custom.StatusCode == HttpStatusCode.OK, await custom.Content.ReadAsStringAsync());

        // The server's roles say what the table says.
        var roles = JsonNode.Parse(await (await admin.GetAsync($"api/roles?{DeviceApi.Version}")).Content.ReadAsStringAsync())!["value"]!.AsArray();
        foreach (var (alias, roleId) in RoleIds)
        {
            var granted = roles.Single(r => (string?)r!["id"] == roleId)!["permissions"]!.AsArray().Select(p => (string)p!).Order().ToList();
            var expected = table.Where(t => t.Value.Contains(alias) && t.Key != Centrum.Identity.Authorization.MemberPolicy.Name).Select(t => char.ToLowerInvariant(t.Key[0]) + t.Key[1..]).Order().ToList();
            Assert.True(expected.SequenceEqual(granted), $"{alias}: table {string.Join(",", expected)} but server {string.Join(",", granted)}");
        }

        await EnsureDevicesAsync(admin);
        await CreateJobsAsync(admin);
        var failures = new List<string>();
        foreach (var (alias, roleId) in RoleIds)
        {
            var organizationScoped = alias.StartsWith("org-", StringComparison.Ordinal);
            var assignment = organizationScoped ? $$"""{"role":"{{roleId}}","organization":"north"}""" : $$"""{"role":"{{roleId}}"}""";
            var issued = await admin.PutAsync($"api/apiTokens/matrix-{alias}?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{{assignment}}]}"""));
            Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
            using var caller = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

            foreach (var (method, route, permission) in operations)
            {
                var granted = table[permission].Contains(alias);
                var addressesJob = route.Contains("{jobId}", StringComparison.Ordinal);
                var targets = route.Contains("{deviceId}", StringComparison.Ordinal) ? new[] { "dev-north", "dev-south" } : addressesJob ? ["job-north", "job-south"] : ["dev-north"];
                foreach (var device in targets)
                {
                    var (status, text) = await SendAsync(caller, method, route, device);
                    var hidden = text.Contains($"Device '{device}' was not found.", StringComparison.Ordinal) || text.Contains($"Job '{device}' was not found.", StringComparison.Ordinal);
                    // A job is created by PUT /jobs/{jobId}: its body is read first (here refused as text/plain), so no existing job is looked up.
                    var looksUp = route.Contains("{deviceId}", StringComparison.Ordinal) || (addressesJob && !(method == "PUT" && route == "/api/jobs/{jobId}"));
                    var expectation = !granted ? "403"
                        : organizationScoped && device is ("dev-south" or "job-south") && looksUp ? "hidden"
                        : "allowed";
                    var ok = expectation switch
                    {
                        "403" => status == HttpStatusCode.Forbidden,
                        "hidden" => status == HttpStatusCode.NotFound && hidden,
                        _ => status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) && !hidden,
                    };
                    if (!ok)
                    {
                        failures.Add($"{alias} {method} {route} ({device}): expected {expectation}, got {(int)status} {text[..Math.Min(text.Length, 160)]}");
                    }

                    if (method == "DELETE" && status == HttpStatusCode.NoContent)
                    {
                        await EnsureDevicesAsync(admin);
                    }
                }
            }

            // Lists hold only what the caller reaches.
            if (table["DevicesRead"].Contains(alias))
            {
                var listed = JsonNode.Parse(await (await caller.GetAsync($"api/devices?{DeviceApi.Version}")).Content.ReadAsStringAsync())!["value"]!.AsArray()
                    .Select(d => (string)d!["id"]!).Where(d => d.StartsWith("dev-", StringComparison.Ordinal)).Order().ToList();
                Assert.Equal(organizationScoped ? ["dev-north"] : ["dev-north", "dev-south"], listed);
            }
        }

        // Another application's token is refused in this application, and reaches none of its devices in its own.
        using var foreign = server.Http(await server.CreateTokenAsync("foreign-admin", application: "other"));
        foreach (var (method, route, _) in operations)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), Url(route, "dev-north")) { Content = method is "GET" or "DELETE" ? null : new StringContent("x", Encoding.UTF8, "text/plain") };
            request.Headers.Host = server.HubHostName;
            var response = await foreign.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"other application {method} {route}: expected 403, got {(int)response.StatusCode}");
            }
        }

        Assert.Equal(HttpStatusCode.NotFound, (await foreign.GetAsync($"api/devices/dev-north?{DeviceApi.Version}")).StatusCode);
        Assert.True(failures.Count == 0, $"{failures.Count} outcomes differ from the table:\n" + string.Join('\n', failures.Take(40)));
    }

    private static async Task EnsureDevicesAsync(HttpClient admin)
    {
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/devices/dev-north?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north-east"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/devices/dev-south?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["south"]}"""))).StatusCode);
    }

    /// <summary>A job in the callers' organization (north-east, under north) and one in another (south), each over that organization's device.</summary>
    private static async Task CreateJobsAsync(HttpClient admin)
    {
        var template = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString("dtmi:matrix:Rebootable;1")}?{DeviceApi.Version}", CentrumServer.Json("""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Rebootable","capabilityModel":{"@id":"dtmi:matrix:Rebootable;1","@type":"Interface",
             "contents":[{"@type":"Command","name":"reboot"}]}}
            """));
        Assert.True(template.StatusCode == HttpStatusCode.OK, await template.Content.ReadAsStringAsync());
        foreach (var (job, organization, device) in new[] { ("job-north", "north-east", "dev-north"), ("job-south", "south", "dev-south") })
        {
            var created = await admin.PutAsync($"api/jobs/{job}?{DeviceApi.Version}", CentrumServer.Json($$"""
                {"displayName":"{{job}}","devices":["{{device}}"],"organizations":["{{organization}}"],"data":[{"type":"command","target":"dtmi:matrix:Rebootable;1","path":"reboot"}]}
                """));
            Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        }
    }

    private static async Task<(HttpStatusCode Status, string Text)> SendAsync(HttpClient caller, string method, string route, string device)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(route, device))
        {
            Content = method is "GET" or "DELETE" ? null : new StringContent("not json", Encoding.UTF8, "text/plain"),
        };
        using var response = await caller.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The route with sample values, and the api-version the operation answers (preview ones only under preview).</summary>
    private static string Url(string route, string device)
    {
        var path = RouteParameter().Replace(route, m => m.Groups[1].Value switch
        {
            "deviceId" or "jobId" => device,
            "deviceTemplateId" => "dtmi:com:example:Missing;1",
            "entry" => "primary",
            _ => "x",
        }).TrimStart('/');
        var preview = route.StartsWith("/api/dataExport", StringComparison.Ordinal) || route.StartsWith("/api/dashboards", StringComparison.Ordinal) || route == "/api/query";
        return $"{path}?api-version={(preview ? "2022-10-31-preview" : "2022-07-31")}";
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex RouteParameter();
}
