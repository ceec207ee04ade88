using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// The organization tree and what a role assigned within it reaches: the tree's own rules (parents exist, no cycles,
/// at most five levels, nothing in use deleted), an Org Administrator working only below its organization, devices
/// created and moved only within reach, query results limited to it, and malformed identity bodies refused.
/// </summary>
public class OrganizationsTests
{
    public OrganizationsTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected OrganizationsTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    private const string OrgAdministrator = "c495eb57-eb18-489e-9802-62c474e5645c";
    private const string OrgOperator = "b4935647-30e4-4ed3-9074-dcac66c2f8ef";

    [Fact]
    public async Task The_tree_keeps_its_rules_and_organization_roles_stay_within_their_subtree()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await Expect(admin.PutAsync(Url("organizations/north"), CentrumServer.Json("""{"displayName":"North"}""")), HttpStatusCode.OK);
        await Expect(admin.PutAsync(Url("organizations/south"), CentrumServer.Json("""{"displayName":"South"}""")), HttpStatusCode.OK);
        await Expect(admin.PutAsync(Url("organizations/orphan"), CentrumServer.Json("""{"displayName":"Orphan","parent":"nowhere"}""")), HttpStatusCode.BadRequest, "parent");
        await Expect(admin.PatchAsync(Url("organizations/north"), CentrumServer.Json("""{"parent":"north"}""")), HttpStatusCode.BadRequest, "below itself");
        var parent = "north";
        foreach (var level in new[] { "l2", "l3", "l4", "l5" })
        {
            await Expect(admin.PutAsync(Url($"organizations/{level}"), CentrumServer.Json($$"""{"displayName":"{{level}}","parent":"{{parent}}"}""")), HttpStatusCode.OK);
            parent = level;
        }

        await Expect(admin.PutAsync(Url("organizations/l6"), CentrumServer.Json("""{"displayName":"l6","parent":"l5"}""")), HttpStatusCode.BadRequest, "5 levels");
        await Expect(admin.PutAsync(Url("organizations/bad"), CentrumServer.Json("""{"displayName":7}""")), HttpStatusCode.BadRequest);
        await Expect(admin.PutAsync(Url("apiTokens/t1"), CentrumServer.Json("""{"roles":[{"role":"c495eb57-eb18-489e-9802-62c474e5645c","organization":"nowhere"}]}""")), HttpStatusCode.BadRequest, "nowhere");

        // An Org Administrator of north works below north only.
        using var northAdmin = await TokenAsync(server, admin, "north-admin", OrgAdministrator, "north");
        await Expect(northAdmin.PutAsync(Url("organizations/north-east"), CentrumServer.Json("""{"displayName":"NE","parent":"north"}""")), HttpStatusCode.OK);
        await Expect(northAdmin.PutAsync(Url("organizations/rogue"), CentrumServer.Json("""{"displayName":"Rogue"}""")), HttpStatusCode.Forbidden);
        await Expect(northAdmin.PutAsync(Url("organizations/south-x"), CentrumServer.Json("""{"displayName":"SX","parent":"south"}""")), HttpStatusCode.Forbidden);
        await Expect(northAdmin.DeleteAsync(Url("organizations/north")), HttpStatusCode.Forbidden);
        await Expect(northAdmin.GetAsync(Url("organizations/south")), HttpStatusCode.NotFound);
        var visible = JsonNode.Parse(await northAdmin.GetStringAsync(Url("organizations")))!["value"]!.AsArray().Select(o => (string)o!["id"]!).Order().ToList();
        Assert.Equal(["l2", "l3", "l4", "l5", "north", "north-east"], visible);

        // Devices only within reach: created there, not moved out, not created elsewhere or nowhere.
        using var northOperator = await TokenAsync(server, admin, "north-operator", OrgOperator, "north");
        await Expect(northOperator.PutAsync(Url("devices/n-1"), CentrumServer.Json("""{"organizations":["north-east"]}""")), HttpStatusCode.OK);
        await Expect(northOperator.PutAsync(Url("devices/s-1"), CentrumServer.Json("""{"organizations":["south"]}""")), HttpStatusCode.Forbidden);
        await Expect(northOperator.PutAsync(Url("devices/x-1"), CentrumServer.Json("{}")), HttpStatusCode.Forbidden);
        await Expect(northOperator.PatchAsync(Url("devices/n-1"), CentrumServer.Json("""{"organizations":["south"]}""")), HttpStatusCode.Forbidden);
        await Expect(northOperator.PatchAsync(Url("devices/n-1"), CentrumServer.Json("""{"displayName":"Renamed"}""")), HttpStatusCode.OK);

        // An enrollment group's key derives any device's key, other organizations' included: withheld from north's operator.
        await Expect(admin.PutAsync(Url("enrollmentGroups/fleet"), CentrumServer.Json("""{"displayName":"Fleet","type":"iot","attestation":{"type":"symmetricKey"}}""")), HttpStatusCode.OK);
        Assert.NotNull((await admin.GetJsonAsync("api/enrollmentGroups/fleet"))["attestation"]!["symmetricKey"]?["primaryKey"]);
        var withheld = JsonNode.Parse(await northOperator.GetStringAsync(Url("enrollmentGroups/fleet")))!;
        Assert.Equal("symmetricKey", (string)withheld["attestation"]!["type"]!);
        Assert.Null(withheld["attestation"]!["symmetricKey"]);
        Assert.All(JsonNode.Parse(await northOperator.GetStringAsync(Url("enrollmentGroups")))!["value"]!.AsArray(), g => Assert.Null(g!["attestation"]!["symmetricKey"]));

        // An organization in use is kept.
        await Expect(admin.DeleteAsync(Url("organizations/north-east")), HttpStatusCode.Conflict);
        await Expect(admin.DeleteAsync(Url("organizations/l5")), HttpStatusCode.NoContent);

        // Query results hold only the devices within reach.
        var template = """{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"dtmi:com:example:Meter;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"power","schema":"double"}]}}""";
        await Expect(admin.PutAsync(Url("deviceTemplates/dtmi:com:example:Meter;1"), CentrumServer.Json(template)), HttpStatusCode.OK);
        await Expect(admin.PatchAsync(Url("devices/n-1"), CentrumServer.Json("""{"template":"dtmi:com:example:Meter;1"}""")), HttpStatusCode.OK);
        await Expect(admin.PutAsync(Url("devices/s-1"), CentrumServer.Json("""{"organizations":["south"],"template":"dtmi:com:example:Meter;1"}""")), HttpStatusCode.OK);
        foreach (var (device, value) in new[] { ("n-1", 1.0), ("s-1", 100.0) })
        {
            var key = (string)(await admin.GetJsonAsync($"api/devices/{device}/credentials"))["symmetricKey"]!["primaryKey"]!;
            using var client = MqttDevice.CreateClient();
            await client.ConnectAsync(MqttDevice.Options(server, device, key, cleanSession: true));
            await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic($"devices/{device}/messages/events/").WithPayload($$"""{"power":{{value}}}""")
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptions());
        }

        var query = CentrumServer.Json("""{"query":"SELECT $id, power FROM dtmi:com:example:Meter;1 WHERE WITHIN_WINDOW(PT1H)"}""");
        var rows = JsonNode.Parse(await (await northOperator.PostAsync("api/query?api-version=2022-10-31-preview", query)).Content.ReadAsStringAsync())!["results"]!.AsArray();
        Assert.Equal(["n-1"], rows.Select(r => (string)r!["$id"]!).Distinct());
        var all = JsonNode.Parse(await (await admin.PostAsync("api/query?api-version=2022-10-31-preview", CentrumServer.Json("""{"query":"SELECT $id, power FROM dtmi:com:example:Meter;1 WHERE WITHIN_WINDOW(PT1H)"}"""))).Content.ReadAsStringAsync())!["results"]!.AsArray();
        Assert.Equal(["n-1", "s-1"], all.Select(r => (string)r!["$id"]!).Distinct().Order());

        // Malformed identity bodies are refused with the member named, never a server error.
        await Expect(admin.PutAsync(Url("users/u1"), CentrumServer.Json("""{"type":"servicePrincipal","tenantId":"t","objectId":"o","email":5,"roles":[{"role":"c495eb57-eb18-489e-9802-62c474e5645c"}]}""")), HttpStatusCode.BadRequest, "email");
        await Expect(admin.PutAsync(Url("users/u1"), CentrumServer.Json("""{"type":"email","email":"a@example.com","roles":[{"role":"c495eb57-eb18-489e-9802-62c474e5645c","organization":3}]}""")), HttpStatusCode.BadRequest, "roles");
        await Expect(admin.PutAsync(Url("roles/r1"), CentrumServer.Json("""{"displayName":"R","scope":1,"permissions":[]}""")), HttpStatusCode.BadRequest, "scope");
        await Expect(admin.PutAsync(Url("roles/r1"), CentrumServer.Json("""{"displayName":"R","permissions":["flyPlanes"]}""")), HttpStatusCode.BadRequest, "flyPlanes");
    }

    private static string Url(string path) => $"api/{path}?{DeviceApi.Version}";

    private static async Task<HttpClient> TokenAsync(CentrumServer server, HttpClient admin, string id, string role, string organization)
    {
        var issued = await admin.PutAsync(Url($"apiTokens/{id}"), CentrumServer.Json($$"""{"roles":[{"role":"{{role}}","organization":"{{organization}}"}]}"""));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);
    }

    private static async Task Expect(Task<HttpResponseMessage> request, HttpStatusCode status, string? fragment = null)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        if (fragment is not null)
        {
            Assert.Contains(fragment, text, StringComparison.Ordinal);
        }
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class OrganizationsTestsOnPostgreSql() : OrganizationsTests(MetadataStore.PostgreSql);
