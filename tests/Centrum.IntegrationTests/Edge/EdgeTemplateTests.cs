using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// IoT Edge device templates as IoT Central models them (REST API 2022-10-31-preview, DeviceTemplates_Create example):
/// the template typed <c>EdgeModel</c>, each module a Relationship co-typed <c>EdgeModule</c> whose target is the
/// module's capability model, which extends a module interface and may hold components. A device assigned the template
/// is an IoT Edge device, and its modules' telemetry, properties and commands are read and checked by their module's
/// model. Each case has its own template and devices on one shared server.
/// </summary>
public sealed class EdgeTemplateTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static string Template(string id) => $$$"""
        {"@type": ["ModelDefinition", "DeviceModel", "EdgeModel"], "displayName": "Edge gateway",
         "capabilityModel": {"@id": "{{{id}}}", "@type": "Interface", "displayName": "Edge gateway", "contents": [
           {"@type": ["Relationship", "EdgeModule"], "name": "sensor", "displayName": "Sensor module", "maxMultiplicity": 1,
            "target": [{"@id": "{{{id[..^2]}}}:sensorCapabilityModel;1", "@type": "Interface", "displayName": "Sensor capability model",
              "contents": [{"@type": "Component", "name": "env", "displayName": "Environment", "schema": {
                 "@id": "{{{id[..^2]}}}:env;1", "@type": "Interface", "contents": [
                   {"@type": "Telemetry", "name": "humidity", "schema": "double"},
                   {"@type": "Property", "name": "interval", "schema": "integer", "writable": true}]}}],
              "extends": [{"@id": "{{{id[..^2]}}}:sensorInterface;1", "@type": "Interface", "contents": [
                 {"@type": "Telemetry", "name": "temperature", "schema": "double"},
                 {"@type": "Property", "name": "threshold", "schema": "double", "writable": true},
                 {"@type": "Command", "name": "reset"}]}]}]}]}}
        """;

    [Fact]
    public async Task A_device_of_an_edge_template_is_an_IoT_Edge_device_whose_modules_are_read_and_checked_by_their_model()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var templateId = $"dtmi:centrum:test:edge{suffix};1";
        var put = await admin.PutAsync($"api/deviceTemplates/{templateId}?{DeviceApi.Version}", CentrumServer.Json(Template(templateId)));
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var edge = "edge-tpl-" + suffix;
        var key = await admin.CreateDeviceAsync(edge, $$"""{"template":"{{templateId}}"}""");
        var device = await admin.GetJsonAsync($"api/devices/{edge}");
        Assert.Equal("iotEdge", (string?)device["type"]![0]);

        using var hub = server.Http();
        var sensorKey = await EdgeModuleLifecycleTests.CreateModuleAsync(server, hub, edge, key, "sensor");
        await EdgeModuleLifecycleTests.CreateModuleAsync(server, hub, edge, key, "other");

        // Devices_ListModules: the described module carries its Relationship's @id and display name.
        var modules = (await admin.GetJsonAsync($"api/devices/{edge}/modules"))["value"]!.AsArray();
        var sensor = modules.Single(m => (string?)m!["name"] == "sensor")!;
        Assert.Equal($"{templateId[..^2]}:_contents:__sensor;1", (string?)sensor["@id"]);
        Assert.Equal("Sensor module", (string?)sensor["displayName"]);
        Assert.Null(modules.Single(m => (string?)m!["name"] == "other")!["@id"]);

        // Devices_ListModuleComponents: the module model's components; none for an undescribed module; a missing one is not found.
        var components = (await admin.GetJsonAsync($"api/devices/{edge}/modules/sensor/components"))["value"]!.AsArray();
        var env = Assert.Single(components)!;
        Assert.Equal("env", (string?)env["name"]);
        Assert.Equal("Environment", (string?)env["displayName"]);
        Assert.Equal("Component", (string?)env["@type"]![0]);
        Assert.Empty((await admin.GetJsonAsync($"api/devices/{edge}/modules/other/components"))["value"]!.AsArray());
        await AssertErrorAsync(await admin.GetAsync($"api/devices/{edge}/modules/missing/components?{DeviceApi.Version}"), HttpStatusCode.NotFound);

        // Properties: declared, writable and of the right schema are accepted, at the module and in its component.
        Assert.Equal(HttpStatusCode.Accepted, (await Patch(admin, $"api/devices/{edge}/modules/sensor/properties", """{"threshold": 21.5}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Patch(admin, $"api/devices/{edge}/modules/sensor/components/env/properties", """{"interval": 10}""")).StatusCode);
        await AssertErrorAsync(await Patch(admin, $"api/devices/{edge}/modules/sensor/properties", """{"threshold": "warm"}"""), HttpStatusCode.BadRequest);
        await AssertErrorAsync(await Patch(admin, $"api/devices/{edge}/modules/sensor/properties", """{"undeclared": 1}"""), HttpStatusCode.BadRequest);
        await AssertErrorAsync(await Patch(admin, $"api/devices/{edge}/modules/sensor/components/nope/properties", """{"interval": 1}"""), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Accepted, (await Patch(admin, $"api/devices/{edge}/modules/other/properties", """{"anything": 1}""")).StatusCode);
        var read = await admin.GetJsonAsync($"api/devices/{edge}/modules/sensor/properties");
        Assert.True(21.5 == (double?)read["$metadata"]?["threshold"]?["desiredValue"], read.ToJsonString());
        Assert.True(10 == (int?)read["env"]?["$metadata"]?["interval"]?["desiredValue"], read.ToJsonString());

        // Commands: one the module does not declare is refused before anything is sent.
        await AssertErrorAsync(await admin.PostAsync($"api/devices/{edge}/modules/sensor/commands/undeclared?{DeviceApi.Version}", CentrumServer.Json("{}")), HttpStatusCode.NotFound);

        // Telemetry from the module is read through its model: declared values are there, undeclared ones only as unmodeled.
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(EdgeModuleLifecycleTests.ModuleOptions(server, edge, "sensor", sensorKey));
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"devices/{edge}/modules/sensor/messages/events/")
            .WithPayload(Encoding.UTF8.GetBytes("""{"temperature": 23.5, "pressure": 1000}"""))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await Wait.UntilAsync(async () => (await admin.GetAsync($"api/devices/{edge}/modules/sensor/telemetry/temperature?{DeviceApi.Version}")).IsSuccessStatusCode, Deadline, "the module's telemetry is stored");
        Assert.Equal(23.5, (double?)(await admin.GetJsonAsync($"api/devices/{edge}/modules/sensor/telemetry/temperature"))["value"]);
        await AssertErrorAsync(await admin.GetAsync($"api/devices/{edge}/modules/sensor/telemetry/pressure?{DeviceApi.Version}"), HttpStatusCode.NotFound);
        var unmodeled = await admin.GetJsonAsync($"api/devices/{edge}/modules/sensor/telemetry/pressure?unmodeled=true");
        Assert.True((bool?)unmodeled["unmodeled"]);
        var modeled = await admin.GetJsonAsync($"api/devices/{edge}/modules/sensor/telemetry/temperature?unmodeled=true");
        Assert.False((bool?)modeled["unmodeled"]);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task A_device_assigned_an_edge_template_by_PATCH_becomes_an_IoT_Edge_device_and_a_plain_template_leaves_a_device_as_it_is()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var edgeTemplate = $"dtmi:centrum:test:edgePatch{suffix};1";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/deviceTemplates/{edgeTemplate}?{DeviceApi.Version}", CentrumServer.Json(Template(edgeTemplate)))).StatusCode);
        var plainTemplate = $"dtmi:centrum:test:plain{suffix};1";
        var plain = $$$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{plainTemplate}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","schema":"double"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/deviceTemplates/{plainTemplate}?{DeviceApi.Version}", CentrumServer.Json(plain))).StatusCode);

        var deviceId = "dev-tpl-" + suffix;
        await admin.CreateDeviceAsync(deviceId, $$"""{"template":"{{plainTemplate}}"}""");
        Assert.Null((await admin.GetJsonAsync($"api/devices/{deviceId}"))["type"]);

        Assert.Equal(HttpStatusCode.OK, (await Patch(admin, $"api/devices/{deviceId}", $$"""{"template":"{{edgeTemplate}}"}""")).StatusCode);
        Assert.Equal("iotEdge", (string?)(await admin.GetJsonAsync($"api/devices/{deviceId}"))["type"]![0]);
        Assert.Empty((await admin.GetJsonAsync($"api/devices/{deviceId}/modules"))["value"]!.AsArray());
    }

    private static Task<HttpResponseMessage> Patch(HttpClient http, string path, string body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"{path}?{DeviceApi.Version}") { Content = CentrumServer.Json(body) });

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {text}");
        Assert.NotNull(JsonNode.Parse(text)?["error"]?["code"]);
    }
}
