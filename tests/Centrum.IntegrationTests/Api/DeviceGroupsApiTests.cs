using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Device groups through IoT Central's REST shape against the real server: members found when asked (a Node SDK device
/// moves in and out of a group by what it reports), paging, organization reach, ETags, audit, and an application's
/// deletion.
/// </summary>
public class DeviceGroupsApiTests
{
    private const string Template = "dtmi:com:example:Vending;1";

    public DeviceGroupsApiTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected DeviceGroupsApiTests(MetadataStore store) => Store = store;

    protected MetadataStore Store { get; }

    [Fact]
    public async Task A_group_by_template_and_reported_property_follows_what_the_device_reports()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        var template = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Template)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Vending","capabilityModel":{"@id":"{{{Template}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[{"@type":"Property","name":"firmware","schema":"string"}]}}
            """));
        Assert.True(template.StatusCode == HttpStatusCode.OK, await template.Content.ReadAsStringAsync());
        var key = await http.CreateDeviceAsync("vend-1", $$"""{"template":"{{Template}}"}""");
        await http.CreateDeviceAsync("vend-2", $$"""{"template":"{{Template}}"}""");
        var plain = await http.CreateDeviceAsync("plain-1");
        await PutGroupAsync(http, "current", $"SELECT * FROM devices WHERE $template = \"{Template}\" AND firmware = \"2.0\"");
        Assert.Empty(await MembersAsync(http, "current"));

        await ReportAsync(server, "vend-1", key, "2.0");
        await ReportAsync(server, "plain-1", plain, "2.0");
        Assert.Equal(["vend-1"], await MembersAsync(http, "current"));
        var member = (await http.GetJsonAsync("api/deviceGroups/current/devices"))["value"]![0]!.AsObject();
        Assert.Equal(Template, (string?)member["template"]);
        Assert.Equal("vend-1", (string?)member["displayName"]);
        Assert.NotNull(member["provisioned"]);

        // The device moves on: the group follows with nothing to refresh.
        await ReportAsync(server, "vend-1", key, "2.1");
        Assert.Empty(await MembersAsync(http, "current"));
    }

    [Fact]
    public async Task A_group_of_a_few_hundred_devices_pages_through_its_members_by_next_link()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        const int count = 300;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellation) =>
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/devices/fleet-{i:D3}?{DeviceApi.Version}", CentrumServer.Json($$"""{"simulated":{{(i % 3 == 0 ? "false" : "true")}}}"""), cancellation)).StatusCode));
        await PutGroupAsync(http, "simulated", "SELECT * FROM devices WHERE $simulated = true AND CONTAINS($displayName, \"FLEET\")");

        var ids = new List<string>();
        var next = $"api/deviceGroups/simulated/devices?api-version=2022-10-31-preview&maxpagesize=40";
        var pages = 0;
        while (next is not null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(next))!;
            ids.AddRange(page["value"]!.AsArray().Select(d => (string)d!["id"]!));
            next = (string?)page["nextLink"];
            Assert.True(next is null || next.Contains("maxpagesize=40", StringComparison.Ordinal), next);
            pages++;
        }

        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 3 != 0).Select(i => $"fleet-{i:D3}"), ids);
        Assert.Equal(5, pages);
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/deviceGroups/simulated/devices?{DeviceApi.Version}&maxpagesize=101"), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task An_organization_scoped_caller_sees_only_members_within_reach_and_places_groups_only_there()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
            await admin.CreateDeviceAsync($"{organization}-1", $$"""{"organizations":["{{organization}}"]}""");
        }

        await admin.CreateDeviceAsync("unassigned-1");
        await PutGroupAsync(admin, "everything", "SELECT * FROM devices");
        await PutGroupAsync(admin, "north-devices", "SELECT * FROM devices", "north");
        Assert.Equal(["north-1", "south-1", "unassigned-1"], await MembersAsync(admin, "everything"));

        var issued = await admin.PutAsync($"api/apiTokens/north-operator?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"b4935647-30e4-4ed3-9074-dcac66c2f8ef","organization":"north"}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        using var north = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

        var listed = JsonNode.Parse(await north.GetStringAsync($"api/deviceGroups?{DeviceApi.Version}"))!["value"]!.AsArray().Select(g => (string)g!["id"]!);
        Assert.Equal(["north-devices"], listed);
        Assert.Equal(["north-1"], await MembersAsync(north, "north-devices"));
        await RestAuthorizationTests.AssertErrorAsync(await north.GetAsync($"api/deviceGroups/everything/devices?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(
            await north.PutAsync($"api/deviceGroups/south-grab?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Grab","filter":"SELECT * FROM devices","organizations":["south"]}""")),
            HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(
            await north.PutAsync($"api/deviceGroups/app-wide?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Wide","filter":"SELECT * FROM devices"}""")),
            HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(HttpStatusCode.OK, (await north.PutAsync($"api/deviceGroups/mine?{DeviceApi.Version}",
            CentrumServer.Json("""{"displayName":"Mine","filter":"SELECT * FROM devices WHERE $simulated = false","organizations":["north"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await north.DeleteAsync($"api/deviceGroups/mine?{DeviceApi.Version}")).StatusCode);
    }

    [Fact]
    public async Task Writes_check_etags_and_filters_and_are_audited_by_group()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        var created = await PutGroupAsync(http, "group1", "SELECT * FROM devices WHERE $provisioned = true");
        var etag = (string)created["etag"]!;

        await RestAuthorizationTests.AssertErrorAsync(
            await http.PatchAsync($"api/deviceGroups/group1?{DeviceApi.Version}", CentrumServer.Json("""{"etag":"stale","displayName":"Lost"}""")), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        using (var request = new HttpRequestMessage(HttpMethod.Patch, $"api/deviceGroups/group1?{DeviceApi.Version}") { Content = CentrumServer.Json("""{"displayName":"Lost"}""") })
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"stale\""));
            await RestAuthorizationTests.AssertErrorAsync(await http.SendAsync(request), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Patch, $"api/deviceGroups/group1?{DeviceApi.Version}") { Content = CentrumServer.Json("""{"displayName":"Renamed","description":null}""") })
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{etag}\""));
            var patched = await http.SendAsync(request);
            Assert.True(patched.StatusCode == HttpStatusCode.OK, await patched.Content.ReadAsStringAsync());
        }

        var read = await http.GetJsonAsync("api/deviceGroups/group1");
        Assert.Equal("Renamed", (string?)read["displayName"]);
        Assert.NotEqual(etag, (string?)read["etag"]);
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/deviceGroups/group1?{DeviceApi.Version}", CentrumServer.Json($$"""{"etag":"{{etag}}","displayName":"Old","filter":"SELECT * FROM devices"}""")),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        var refused = await http.PutAsync($"api/deviceGroups/group2?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"G","filter":"SELECT * FROM devices WHERE NOT $simulated = true"}"""));
        await RestAuthorizationTests.AssertErrorAsync(refused, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("'NOT' at position 28 is not supported", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/deviceGroups/group2?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"G","filter":"SELECT * FROM devices","colour":"red"}""")), HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/deviceGroups/group1?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/deviceGroups/group1?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");

        var entries = new List<JsonObject>();
        await Wait.UntilAsync(async () =>
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"api/auditLogs?maxpagesize=100&{DeviceApi.Version}"))!["value"]!.AsArray();
            entries = page.Select(e => e!.AsObject()).Where(e => (string?)e["resource"]!["type"] == "deviceGroup" && (string?)e["resource"]!["id"] == "group1").ToList();
            return entries.Count >= 6;
        }, TimeSpan.FromSeconds(10), "the group's audit entries");
        Assert.Equal([204, 412, 200, 412, 412, 200], entries.Select(e => (int)e["outcome"]!));
    }

    [Fact]
    public async Task A_deleted_application_leaves_no_group_behind()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        await server.RunCliAsync("app", "create", "--id", "tenant-g");
        using (var tenant = server.Http(await server.CreateTokenAsync("g-admin", application: "tenant-g")))
        {
            await PutGroupAsync(tenant, "doomed", "SELECT * FROM devices");
        }

        Assert.Equal("deleted", await server.RunCliAsync("app", "delete", "--id", "tenant-g"));
        await server.RunCliAsync("app", "create", "--id", "tenant-g");
        using var again = server.Http(await server.CreateTokenAsync("g-admin-2", application: "tenant-g"));
        await RestAuthorizationTests.AssertErrorAsync(await again.GetAsync($"api/deviceGroups/doomed?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        Assert.Empty(JsonNode.Parse(await again.GetStringAsync($"api/deviceGroups?{DeviceApi.Version}"))!["value"]!.AsArray());
    }

    private static async Task<JsonObject> PutGroupAsync(HttpClient http, string id, string filter, params string[] organizations)
    {
        var body = new JsonObject { ["displayName"] = id, ["filter"] = filter };
        if (organizations.Length > 0)
        {
            body["organizations"] = new JsonArray(organizations.Select(o => (JsonNode)o).ToArray());
        }

        var response = await http.PutAsync($"api/deviceGroups/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<string[]> MembersAsync(HttpClient http, string groupId)
    {
        var page = JsonNode.Parse(await http.GetStringAsync($"api/deviceGroups/{groupId}/devices?{DeviceApi.Version}"))!;
        Assert.Null(page["nextLink"]);
        return page["value"]!.AsArray().Select(d => (string)d!["id"]!).Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task ReportAsync(CentrumServer server, string deviceId, string key, string firmware)
    {
        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport = "mqtt",
            action = "device",
            twin = true,
            reports = new object[] { new { firmware } },
        });
        Assert.Contains(events, e => (string?)e["event"] == "reported");
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class DeviceGroupsApiTestsOnPostgreSql() : DeviceGroupsApiTests(MetadataStore.PostgreSql);
