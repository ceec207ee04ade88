using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Templates;

/// <summary>Device templates through REST, and the Plug and Play temperature controller end to end with the Node.js SDK.</summary>
public class DeviceTemplateTests
{
    public DeviceTemplateTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected DeviceTemplateTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    private const string ControllerModel = "dtmi:com:example:TemperatureController;2";

    [Fact]
    public async Task Every_published_model_imports_as_a_template_with_its_dependencies()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        foreach (var file in Directory.GetFiles(Models.Folder, "*.json", SearchOption.AllDirectories).Order())
        {
            var documents = Models.WithDependencies(file);
            var model = documents.Count == 1 ? documents[0] : new JsonArray(documents.ToArray());
            var id = (string)documents[0]["@id"]!;
            var response = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(id)}?{DeviceApi.Version}", CentrumServer.Json(
                new JsonObject { ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"), ["displayName"] = Path.GetFileName(file), ["capabilityModel"] = model }.ToJsonString()));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file}: {await response.Content.ReadAsStringAsync()}");
        }

        var list = await http.GetJsonAsync("api/deviceTemplates?maxpagesize=100");
        Assert.Equal(Directory.GetFiles(Models.Folder, "*.json", SearchOption.AllDirectories).Length, list["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_broken_model_is_refused_with_its_path_and_nothing_is_stored()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        var body = """{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"dtmi:com:example:Broken;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","shema":"double"}]}}""";
        var response = await http.PutAsync($"api/deviceTemplates/dtmi:com:example:Broken;1?{DeviceApi.Version}", CentrumServer.Json(body));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidModel", (string?)error["code"]);
        Assert.Contains(error["details"]!.AsArray(), d => (string?)d!["path"] == "capabilityModel.contents[0].shema");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/deviceTemplates/dtmi:com:example:Broken;1?{DeviceApi.Version}")).StatusCode);
    }

    [Fact]
    public async Task The_temperature_controller_works_end_to_end_through_its_template()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();

        // Dependency order: the thermostat and device information models first, then the controller that references them.
        await PutTemplateAsync(http, "dtmi:com:example:Thermostat;1", Models.Read("com/example/thermostat-1.json"));
        await PutTemplateAsync(http, "dtmi:com:example:Thermostat;2", Models.Read("com/example/thermostat-2.json"));
        await PutTemplateAsync(http, "dtmi:azure:DeviceManagement:DeviceInformation;1", Models.Read("azure/devicemanagement/deviceinformation-1.json"));
        await PutTemplateAsync(http, ControllerModel, Models.Read("com/example/temperaturecontroller-2.json"));
        var key = await http.CreateDeviceAsync("tc-01");

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "tc-01", key),
            transport = "mqtt",
            action = "device",
            modelId = ControllerModel,
            twin = true,
            desired = true,
            ack = new { code = 200, description = "Successfully executed patch" },
            reports = new object[]
            {
                new { serialNumber = "SN-1" },
                new { thermostat1 = new Dictionary<string, object> { ["__t"] = "c", ["maxTempSinceLastReboot"] = 38.2 } },
                new { deviceInformation = new Dictionary<string, object> { ["__t"] = "c", ["manufacturer"] = "Contoso", ["totalMemory"] = 1024.0 } },
            },
            methods = new Dictionary<string, object>
            {
                ["thermostat1*getMaxMinReport"] = new { status = 200, payload = new { maxTemp = 38.2, minTemp = 20.1, avgTemp = 25.0, startTime = "2024-01-01T00:00:00Z", endTime = "2024-01-01T01:00:00Z" } },
            },
            messages = new object[]
            {
                new { body = new { temperature = 21.5 }, contentType = "application/json", contentEncoding = "utf-8", component = "thermostat1" },
                new { body = new { temperature = 19.25 }, contentType = "application/json", contentEncoding = "utf-8", component = "thermostat2" },
                new { body = new { workingSet = 4096.0, fanSpeed = 7 }, contentType = "application/json", contentEncoding = "utf-8" },
            },
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        // The model id on CONNECT associated the device with its template.
        var registered = await http.GetJsonAsync("api/devices/tc-01");
        Assert.Equal(ControllerModel, (string?)registered["template"]);
        var components = await http.GetJsonAsync("api/devices/tc-01/components");
        Assert.Equal(["thermostat1", "thermostat2", "deviceInformation"], components["value"]!.AsArray().Select(c => (string?)c!["name"]));

        // Component telemetry lands under its component.
        Assert.Equal(21.5, (double)(await http.GetJsonAsync("api/devices/tc-01/components/thermostat1/telemetry/temperature"))["value"]!);
        Assert.Equal(19.25, (double)(await http.GetJsonAsync("api/devices/tc-01/components/thermostat2/telemetry/temperature"))["value"]!);
        Assert.Equal(4096.0, (double)(await http.GetJsonAsync("api/devices/tc-01/telemetry/workingSet"))["value"]!);
        var notAtRoot = await http.GetAsync($"api/devices/tc-01/telemetry/temperature?{DeviceApi.Version}");
        Assert.Equal(HttpStatusCode.NotFound, notAtRoot.StatusCode);

        // Data the model does not declare is kept and shows as unmodeled.
        var refused = await http.GetAsync($"api/devices/tc-01/telemetry/fanSpeed?{DeviceApi.Version}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("not declared", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unmodeled = await http.GetJsonAsync("api/devices/tc-01/telemetry/fanSpeed?unmodeled=true");
        Assert.Equal((7, true), ((int)unmodeled["value"]!, (bool)unmodeled["unmodeled"]!));
        var modeled = await http.GetJsonAsync("api/devices/tc-01/components/thermostat1/telemetry/temperature?unmodeled=true");
        Assert.False((bool)modeled["unmodeled"]!);

        // The writable targetTemperature of one component is set through REST and acknowledged by the device.
        await server.WaitForSubscriptionAsync("tc-01", "$iothub/twin/PATCH/properties/desired/#");
        var write = await http.PatchAsync($"api/devices/tc-01/components/thermostat1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":30.5}"""));
        Assert.Equal(HttpStatusCode.Accepted, write.StatusCode);
        await Wait.UntilAsync(async () => (string?)(await http.GetJsonAsync("api/devices/tc-01/components/thermostat1/properties"))["$metadata"]?["targetTemperature"]?["state"] == "accepted",
            TimeSpan.FromSeconds(30), "the device acknowledges targetTemperature");
        var thermostat = await http.GetJsonAsync("api/devices/tc-01/components/thermostat1/properties");
        Assert.Equal(30.5, (double)thermostat["targetTemperature"]!);
        Assert.Equal(38.2, (double)thermostat["maxTempSinceLastReboot"]!);
        var root = await http.GetJsonAsync("api/devices/tc-01/properties");
        Assert.Equal("SN-1", (string?)root["serialNumber"]);
        Assert.Equal("Contoso", (string?)root["deviceInformation"]!["manufacturer"]);

        // Writes the template does not allow are refused.
        var readOnly = await http.PatchAsync($"api/devices/tc-01/components/thermostat1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"maxTempSinceLastReboot":1}"""));
        Assert.Equal(HttpStatusCode.BadRequest, readOnly.StatusCode);
        var wrongType = await http.PatchAsync($"api/devices/tc-01/components/thermostat1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":"hot"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var undeclared = await http.PatchAsync($"api/devices/tc-01/properties?{DeviceApi.Version}", CentrumServer.Json("""{"colour":"red"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, undeclared.StatusCode);

        // getMaxMinReport is invoked on a component and answered.
        var report = await http.PostAsync($"api/devices/tc-01/components/thermostat1/commands/getMaxMinReport?{DeviceApi.Version}", CentrumServer.Json("""{"request":"2024-01-01T00:00:00Z"}"""));
        var answer = JsonNode.Parse(await report.Content.ReadAsStringAsync())!;
        Assert.True(report.StatusCode == HttpStatusCode.Created, answer.ToJsonString());
        Assert.Equal(38.2, (double)answer["response"]!["maxTemp"]!);
        Assert.Equal("2024-01-01T00:00:00Z", (string?)device.Events.Single(e => (string?)e["event"] == "method")["payload"]);
        var unknownCommand = await http.PostAsync($"api/devices/tc-01/components/thermostat1/commands/selfDestruct?{DeviceApi.Version}", CentrumServer.Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unknownCommand.StatusCode);
        var unknownComponent = await http.GetAsync($"api/devices/tc-01/components/thermostat9/telemetry/temperature?{DeviceApi.Version}");
        Assert.Equal(HttpStatusCode.NotFound, unknownComponent.StatusCode);
        device.Release();
    }

    [Fact]
    public async Task A_template_in_use_only_grows_and_devices_move_by_an_explicit_write()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        const string v1 = """{"@id":"dtmi:com:example:Pump;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"flow","schema":"double"},{"@type":["Property","Cloud"],"name":"location","schema":"string"},{"@type":"Property","name":"speed","schema":"integer","writable":true}]}""";
        const string grown = """{"@id":"dtmi:com:example:Pump;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"flow","schema":"double"},{"@type":["Property","Cloud"],"name":"location","schema":"string"},{"@type":"Property","name":"speed","schema":"integer","writable":true},{"@type":"Telemetry","name":"pressure","schema":"double"}]}""";
        const string changed = """{"@id":"dtmi:com:example:Pump;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"flow","schema":"string"}]}""";
        await PutTemplateAsync(http, "dtmi:com:example:Pump;1", JsonNode.Parse(v1)!);
        await PutTemplateAsync(http, "dtmi:com:example:Pump;2", JsonNode.Parse(changed.Replace("Pump;1", "Pump;2", StringComparison.Ordinal))!);
        await http.CreateDeviceAsync("pump-1", """{"template":"dtmi:com:example:Pump;1"}""");

        // A cloud property stays with the platform: it shows among the properties but is not a desired value.
        var cloud = await http.PatchAsync($"api/devices/pump-1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"location":"Hall 3"}"""));
        Assert.Equal(HttpStatusCode.Accepted, cloud.StatusCode);
        var desired = await http.PatchAsync($"api/devices/pump-1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"speed":5}"""));
        Assert.Equal(HttpStatusCode.Accepted, desired.StatusCode);
        var properties = await http.GetJsonAsync("api/devices/pump-1/properties");
        Assert.Equal("Hall 3", (string?)properties["location"]);
        Assert.NotNull(properties["$metadata"]!["location"]!["lastUpdateTime"]);
        Assert.Null(properties["$metadata"]!["location"]!["desiredValue"]);
        Assert.Equal(2, (int)properties["$metadata"]!["speed"]!["desiredVersion"]!);

        await PutTemplateAsync(http, "dtmi:com:example:Pump;1", JsonNode.Parse(grown)!);
        var incompatible = await http.PutAsync($"api/deviceTemplates/dtmi:com:example:Pump;1?{DeviceApi.Version}", CentrumServer.Json($$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{{changed}}}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(incompatible, HttpStatusCode.Conflict, "IncompatibleTemplateChange");
        var inUse = await http.DeleteAsync($"api/deviceTemplates/dtmi:com:example:Pump;1?{DeviceApi.Version}");
        await Api.RestAuthorizationTests.AssertErrorAsync(inUse, HttpStatusCode.Conflict, "TemplateInUse");

        var missing = await http.PatchAsync($"api/devices/pump-1?{DeviceApi.Version}", CentrumServer.Json("""{"template":"dtmi:com:example:Pump;9"}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(missing, HttpStatusCode.BadRequest, "BadRequest");
        var moved = await http.PatchAsync($"api/devices/pump-1?{DeviceApi.Version}", CentrumServer.Json("""{"template":"dtmi:com:example:Pump;2"}"""));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/deviceTemplates/dtmi:com:example:Pump;1?{DeviceApi.Version}")).StatusCode);

        // A device without a template is unassigned and keeps working.
        var loose = await http.CreateDeviceAsync("loose-1");
        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "loose-1", loose),
            transport = "mqtt",
            action = "telemetry",
            messages = new object[] { new { body = new { anything = 1 }, contentType = "application/json" } },
        });
        Assert.Contains(events, e => (string?)e["event"] == "sent");
        Assert.Null((await http.GetJsonAsync("api/devices/loose-1"))["template"]);
        Assert.Equal(1, (int)(await http.GetJsonAsync("api/devices/loose-1/telemetry/anything"))["value"]!);
    }

    private static async Task PutTemplateAsync(HttpClient http, string id, JsonNode model)
    {
        var body = new JsonObject { ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"), ["displayName"] = id, ["capabilityModel"] = model.DeepClone() };
        var response = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(id)}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class DeviceTemplateTestsOnPostgreSql() : DeviceTemplateTests(MetadataStore.PostgreSql);
