using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Shapes and values IoT Central's published REST examples show, checked against the real server: what IoT Central
/// accepts is accepted, answers leave out what IoT Central leaves out, and values are written as IoT Central writes them.
/// Each check names the example (operation id and API version) it compares with.
/// </summary>
public sealed class PublishedExampleValuesTests
{
    /// <summary>The request body of IoT Central REST API 2022-07-31, DeviceTemplates_Create example (a Humidity telemetry without unit).</summary>
    private const string StableTemplate = """
        {"@type":["ModelDefinition","DeviceModel"],"displayName":"Test Contoso Definition","capabilityModel":{"@id":"dtmi:contoso:testCapabilityModel;1","@type":"Interface","displayName":"Test Capability Model","contents":[{"@id":"dtmi:contoso:testCapabilityModel:settings;1","@type":"Component","displayName":"Settings","name":"settings","schema":{"@id":"dtmi:contoso:settings;1","@type":"Interface","displayName":"Settings","contents":[{"@type":"Telemetry","displayName":"Test Component Telemetry","name":"testComponentTelemetry","schema":"double"},{"@type":["Property","Initialized"],"displayName":"Temperature Threshold","name":"threshold","schema":"double","writable":true,"initialValue":"100"}]}},{"@type":["Telemetry","Humidity"],"name":"humidity","displayName":"Humidity","schema":"double"},{"@type":["Property","Cloud"],"displayName":"Online Status","name":"status","schema":{"@type":"Enum","valueSchema":"integer","enumValues":[{"name":"offline","displayName":"Offline","enumValue":1},{"name":"online","displayName":"Online","enumValue":2}]}}],"extends":[{"@id":"dtmi:contoso:testInterface;1","@type":"Interface","displayName":"Test Interface","contents":[{"@type":"Telemetry","displayName":"Test Telemetry","name":"testTelemetry","schema":"double"},{"@type":["Telemetry","Event","EventValue"],"displayName":"Test Event","name":"testEvent","schema":"integer","severity":"warning"},{"@type":["Property","Initialized"],"displayName":"Test Property","name":"testProperty","schema":"string","writable":true,"initialValue":"initialValue1"},{"@type":"Property","displayName":"Test Read-Only Property","name":"testReadOnly","schema":"string"},{"@type":"Property","displayName":"Test Complex Property","name":"testComplex","schema":{"@id":"dtmi:contoso:testComplex;1","@type":"Object","displayName":"Object","fields":[{"displayName":"First","name":"first","schema":"string"},{"displayName":"Second","name":"second","schema":"string"}]},"writable":true},{"@type":"Command","commandType":"synchronous","displayName":"Test Command","name":"testCommand","request":{"displayName":"Test Request","name":"testRequest","schema":"double"},"response":{"displayName":"Test Response","name":"testResponse","schema":"geopoint"}},{"@type":"Property","displayName":"Test Enum","name":"testEnum","schema":{"@id":"dtmi:contoso:testEnum;1","@type":"Enum","displayName":"Enum","enumValues":[{"displayName":"First","enumValue":1,"name":"first"},{"displayName":"Second","enumValue":2,"name":"second"}],"valueSchema":"integer"},"writable":true}]}]}}
        """;

    /// <summary>The capability model of IoT Central REST API 2022-10-31-preview, DeviceTemplates_Create example (an IoT Edge model).</summary>
    private const string EdgeCapabilityModel = """
        {"@id":"dtmi:contoso:testCapabilityModel;1","@type":"Interface","displayName":"Test Capability Model","extends":[{"@id":"dtmi:contoso:testInterface;1","@type":"Interface","displayName":"Test Interface","contents":[{"@type":"Telemetry","displayName":"Test Telemetry","name":"testTelemetry","schema":"double"},{"@type":["Telemetry","Event","EventValue"],"displayName":"Test Event","name":"testEvent","schema":"integer","severity":"warning"},{"@type":["Property","Initialized"],"displayName":"Test Property","name":"testProperty","schema":"string","writable":true,"initialValue":"initialValue1"},{"@type":"Property","displayName":"Test Read-Only Property","name":"testReadOnly","schema":"string"},{"@type":"Property","displayName":"Test Complex Property","name":"testComplex","schema":{"@id":"dtmi:contoso:testComplex;1","@type":"Object","displayName":"Object","fields":[{"displayName":"First","name":"first","schema":"string"},{"displayName":"Second","name":"second","schema":"string"}]},"writable":true},{"@type":"Command","commandType":"synchronous","displayName":"Test Command","name":"testCommand","request":{"displayName":"Test Request","name":"testRequest","schema":"double"},"response":{"displayName":"Test Response","name":"testResponse","schema":"geopoint"}},{"@type":"Property","displayName":"Test Enum","name":"testEnum","schema":{"@id":"dtmi:contoso:testEnum;1","@type":"Enum","displayName":"Enum","enumValues":[{"displayName":"First","enumValue":1,"name":"first"},{"displayName":"Second","enumValue":2,"name":"second"}],"valueSchema":"integer"},"writable":true}]}],"contents":[{"@type":["Relationship","EdgeModule"],"displayName":"Test Module","maxMultiplicity":1,"name":"testModule","target":[{"@id":"dtmi:contoso:testModuleCapabilityModel;1","@type":"Interface","displayName":"Test Module Capability Model","extends":[{"@id":"dtmi:contoso:testModuleInterface;1","@type":"Interface","contents":[{"@type":"Telemetry","displayName":"Test Module Telemetry","name":"testModuleTelemetry","schema":"double"},{"@type":"Property","displayName":"Test Module Property","name":"testModuleProperty","schema":"string","writable":true}],"displayName":"Test Module Interface"}]}]},{"@type":["Cloud","Property"],"displayName":"Test Cloud Property","name":"testCloudProperty","schema":"dateTime"}]}
        """;

    private const string StableTemplateId = "dtmi:contoso:testDeviceTemplate;1";
    private const string Preview = "api-version=2022-10-31-preview";

    [Fact]
    public async Task Template_examples_are_accepted_read_back_as_written_and_their_components_listed()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();

        // DeviceTemplates_Create (2022-07-31): accepted, and DeviceTemplates_Get shows the model as written, without @context.
        var created = await http.PutAsync($"api/deviceTemplates/{StableTemplateId}?{DeviceApi.Version}", CentrumServer.Json(StableTemplate));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var written = JsonNode.Parse(StableTemplate)!["capabilityModel"]!;
        var read = await http.GetJsonAsync($"api/deviceTemplates/{StableTemplateId}");
        Assert.True(JsonNode.DeepEquals(written, read["capabilityModel"]), read["capabilityModel"]!.ToJsonString());
        Assert.False(read["capabilityModel"]!.AsObject().ContainsKey("@context"));

        // DeviceTemplates_Create (2022-10-31-preview): an edge model whose module Relationship targets an inline Interface.
        var edge = new JsonObject
        {
            ["@type"] = new JsonArray("ModelDefinition", "DeviceModel", "EdgeModel"),
            ["displayName"] = "Test Definition",
            ["capabilityModel"] = JsonNode.Parse(EdgeCapabilityModel),
        };
        var edgeCreated = await http.PutAsync($"api/deviceTemplates/dtmi:contoso:testEdgeTemplate;1?{Preview}", CentrumServer.Json(edge.ToJsonString()));
        Assert.True(edgeCreated.StatusCode == HttpStatusCode.OK, await edgeCreated.Content.ReadAsStringAsync());

        // Devices_ListComponents (2022-07-31): each item carries @id and @type as an array.
        await http.CreateDeviceAsync("thermo-1", $$"""{"displayName":"Thermostat","template":"{{StableTemplateId}}"}""");
        var components = (await http.GetJsonAsync("api/devices/thermo-1/components"))["value"]!.AsArray();
        var settings = Assert.Single(components)!;
        Assert.Equal("dtmi:contoso:testCapabilityModel:settings;1", (string?)settings["@id"]);
        Assert.Equal(["Component"], settings["@type"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("settings", (string?)settings["name"]);

        // Devices_UpdateProperties (2022-07-31): a write of a component only answers no root $metadata; the same holds for a replace.
        foreach (var method in new[] { HttpMethod.Patch, HttpMethod.Put })
        {
            var write = await http.SendAsync(new HttpRequestMessage(method, $"api/devices/thermo-1/properties?{DeviceApi.Version}") { Content = CentrumServer.Json("""{"settings":{"threshold":30}}""") });
            var body = JsonNode.Parse(await write.Content.ReadAsStringAsync())!.AsObject();
            Assert.True(write.StatusCode == HttpStatusCode.Accepted, body.ToJsonString());
            Assert.False(body.ContainsKey("$metadata"), body.ToJsonString());
            Assert.Equal(30, (int)body["settings"]!["$metadata"]!["threshold"]!["desiredValue"]!);
        }
    }

    [Fact]
    public async Task Identity_and_provisioning_answers_carry_iot_central_values_and_leave_out_what_is_absent()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();

        // Roles_List (2022-07-31): the organization administrator is "Org Admin".
        var roles = (await http.GetJsonAsync("api/roles"))["value"]!.AsArray();
        Assert.Equal("Org Admin", (string?)roles.Single(r => (string?)r!["id"] == "c495eb57-eb18-489e-9802-62c474e5645c")!["displayName"]);

        // ApiTokens_Create (2022-07-31): the expiry is written in UTC with Z and milliseconds as given ("…40.227Z").
        var token = await http.PutAsync($"api/apiTokens/testtoken?{DeviceApi.Version}", CentrumServer.Json(
            """{"roles":[{"role":"ae2c9854-393b-4f97-8c42-479d70ce626e"}],"expiry":"2099-10-18T20:30:40.227+02:00"}"""));
        var tokenBody = JsonNode.Parse(await token.Content.ReadAsStringAsync())!;
        Assert.True(token.StatusCode == HttpStatusCode.OK, tokenBody.ToJsonString());
        Assert.Equal("2099-10-18T18:30:40.227Z", tokenBody["expiry"]!.GetValue<string>());
        Assert.Equal("2099-10-18T18:30:40.227Z", (await http.GetJsonAsync("api/apiTokens/testtoken"))["expiry"]!.GetValue<string>());

        // Devices_Get (2022-07-31): a device never connected has no connect times, rather than nulls.
        await http.CreateDeviceAsync("never-1");
        var device = await http.GetJsonAsync("api/devices/never-1");
        Assert.False(device.ContainsKey("lastConnectTime"), device.ToJsonString());
        Assert.DoesNotContain(device, p => p.Value is null);

        // EnrollmentGroups_CreateX509 (2022-07-31): the answer carries the group's new etag.
        using var ca = TestCertificates.CreateCa("Example CA");
        var group = await http.PutAsync($"api/enrollmentGroups/x509-devices?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"X.509 devices","type":"iot","attestation":{"type":"x509"}}"""));
        Assert.Equal(HttpStatusCode.OK, group.StatusCode);
        var certificate = await http.PutAsync($"api/enrollmentGroups/x509-devices/certificates/primary?{DeviceApi.Version}", CentrumServer.Json(
            $$"""{"verified":false,"certificate":"{{TestCertificates.Base64(ca)}}"}"""));
        var certificateBody = JsonNode.Parse(await certificate.Content.ReadAsStringAsync())!;
        Assert.True(certificate.StatusCode == HttpStatusCode.OK, certificateBody.ToJsonString());
        var etag = (string?)certificateBody["etag"];
        Assert.False(string.IsNullOrEmpty(etag), certificateBody.ToJsonString());
        Assert.Equal(etag, (string?)(await http.GetJsonAsync("api/enrollmentGroups/x509-devices"))["etag"]);
        Assert.Equal(ca.Thumbprint, (string?)certificateBody["info"]!["sha1Thumbprint"]);

        // Devices_CreateAttestation (2022-07-31, x509): a primary certificate only, and no "secondary" in the answer.
        using var leaf = TestCertificates.Issue(ca, "never-1", ecdsa: true);
        var attestation = await http.PutAsync($"api/devices/never-1/attestation?{DeviceApi.Version}", CentrumServer.Json(
            new JsonObject
            {
                ["type"] = "x509",
                ["x509"] = new JsonObject { ["clientCertificates"] = new JsonObject { ["primary"] = new JsonObject { ["certificate"] = TestCertificates.Base64(leaf) } } },
            }.ToJsonString()));
        var attestationBody = JsonNode.Parse(await attestation.Content.ReadAsStringAsync())!;
        Assert.True(attestation.StatusCode == HttpStatusCode.OK, attestationBody.ToJsonString());
        var clientCertificates = attestationBody["x509"]!["clientCertificates"]!.AsObject();
        Assert.Equal(["primary"], clientCertificates.Select(p => p.Key));
        Assert.Equal(leaf.Thumbprint, (string?)clientCertificates["primary"]!["info"]!["sha1Thumbprint"]);
    }

    [Fact]
    public async Task Export_statuses_are_iot_centrals_and_an_export_may_have_no_destinations()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();

        // Destinations_Create (2022-10-31-preview): a destination no export sends to is "waiting".
        var destination = await PutAsync(http, "dataExport/destinations/hook", """{"displayName":"Hook","type":"webhook@v1","url":"https://hooks.example.com/iot"}""");
        Assert.Equal("waiting", (string?)destination["status"]);

        // Destinations_ListExports (2022-10-31-preview): an enabled export with "destinations": [] is accepted, "healthy".
        var empty = await PutAsync(http, "dataExport/exports/nowhere", """{"displayName":"Nowhere","enabled":true,"source":"telemetry","destinations":[]}""");
        Assert.Empty(empty["destinations"]!.AsArray());
        Assert.Equal("healthy", (string?)empty["status"]);

        // Exports_Create (2022-10-31-preview): a disabled export is "notStarted", and its destination still waits.
        var disabled = await PutAsync(http, "dataExport/exports/later", """{"displayName":"Later","enabled":false,"source":"telemetry","destinations":[{"id":"hook"}]}""");
        Assert.Equal("notStarted", (string?)disabled["status"]);
        var hook = await http.GetAsync($"api/dataExport/destinations/hook?{Preview}");
        Assert.Equal("waiting", (string?)JsonNode.Parse(await hook.Content.ReadAsStringAsync())!["status"]);
    }

    private static async Task<JsonNode> PutAsync(HttpClient http, string path, string body)
    {
        var response = await http.PutAsync($"api/{path}?{Preview}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
