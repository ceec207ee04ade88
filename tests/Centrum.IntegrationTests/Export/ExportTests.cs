using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// Continuous data export through the real server to a real HTTP receiver: devices (the Node.js SDK and MQTTnet) send
/// telemetry and report properties, operators change devices through REST, and the receiver sees what the exports'
/// filters, enrichments and transforms make of it.
/// </summary>
public sealed class ExportTests
{
    internal const string Preview = "api-version=2022-10-31-preview";
    internal const string Model = "dtmi:com:example:Boiler;1";
    private const string SigningSecret = "a-signing-secret-of-some-length";

    [Fact]
    public async Task Telemetry_properties_lifecycle_and_connectivity_reach_a_webhook_filtered_enriched_and_transformed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        var key1 = await http.CreateDeviceAsync("boiler-1", $$$"""{"displayName":"Boiler room","template":"{{{Model}}}"}""");
        var key2 = await http.CreateDeviceAsync("boiler-2", $$$"""{"displayName":"Attic","template":"{{{Model}}}"}""");
        var otherKey = await http.CreateDeviceAsync("loose-1");

        await PutAsync(http, "dataExport/destinations/hook", $$$"""
            {"displayName":"Telemetry hook","type":"webhook@v1","url":"{{{receiver.Url}}}telemetry",
             "headerCustomizations":{"x-tenant":{"value":"acme"},"x-api-key":{"value":"hidden-key-1","secret":true}},
             "authorization":{"type":"oauth","tokenUrl":"{{{receiver.Url}}}token","clientId":"centrum","clientSecret":"s3cret-client","requestType":"urlencoded"},
             "signingSecret":"{{{SigningSecret}}}"}
            """);
        await PutAsync(http, "dataExport/destinations/events", $$$"""
            {"displayName":"Event hook","type":"webhook@v1","url":"{{{receiver.Url}}}events","authorization":{"type":"header","value":"Bearer fixed-token"}}
            """);
        var hot = await PutAsync(http, "dataExport/exports/hot", $$$"""
            {"displayName":"Hot boilers","enabled":true,"source":"telemetry",
             "filter":"SELECT * FROM {{{Model}}} WHERE temperature > 20",
             "enrichments":{"site":{"value":"plant-7"},"name":{"path":"$displayName"},"serial":{"target":"{{{Model}}}","path":"serialNumber"}},
             "destinations":[{"id":"hook","transform":"{device: .deviceId, temperature: .telemetry.temperature, site: .enrichments.site, name: .enrichments.name, serial: .enrichments.serial, seq: .sequenceNumber}"}]}
            """);
        Assert.Equal("hot", (string?)hot["id"]);
        foreach (var source in new[] { "properties", "deviceLifecycle", "deviceConnectivity" })
        {
            await PutAsync(http, $"dataExport/exports/{source}", $$$"""{"displayName":"{{{source}}}","enabled":true,"source":"{{{source}}}","destinations":[{"id":"events"}]}""");
        }

        // Secrets never come back: the client secret and the secret header are masked.
        var hook = await GetAsync(http, "dataExport/destinations/hook");
        Assert.Equal("*****", (string?)hook["authorization"]!["clientSecret"]);
        Assert.DoesNotContain("hidden-key-1", hook.ToJsonString(), StringComparison.Ordinal);

        // boiler-1 is the SDK: it reports its serial number, then sends three readings, one of them too cold to export.
        await using (var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "boiler-1", key1),
            transport = "mqtt",
            action = "device",
            twin = true,
            reports = new object[] { new { serialNumber = "SN-1" } },
            messages = new object[]
            {
                new { body = new { temperature = 18.5 }, contentType = "application/json", contentEncoding = "utf-8" },
                new { body = new { temperature = 22.5 }, contentType = "application/json", contentEncoding = "utf-8" },
                new { body = new { temperature = 25.0 }, contentType = "application/json", contentEncoding = "utf-8" },
            },
        }))
        {
            await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        }

        await PublishAsync(server, "boiler-2", key2, """{"temperature":30}""");
        await PublishAsync(server, "loose-1", otherKey, """{"temperature":99}""");
        // Enrichments read the device as it is when the message is exported: the lifecycle changes below wait until the
        // readings are out, so their names are the ones the devices had when they sent them.
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/telemetry").Count >= 3), TimeSpan.FromSeconds(30), "three hot readings exported");
        await http.CreateDeviceAsync("boiler-3", $$$"""{"template":"{{{Model}}}"}""");
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/boiler-2?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Attic east"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/loose-1?{DeviceApi.Version}")).StatusCode);
        var telemetry = receiver.At("/telemetry");
        Assert.Equal([22.5, 25.0, 30.0], telemetry.Select(r => (double)r.Json["temperature"]!).Order());
        var first = telemetry.Single(r => (double)r.Json["temperature"]! == 22.5).Json;
        Assert.Equal("boiler-1", (string?)first["device"]);
        Assert.Equal("plant-7", (string?)first["site"]);
        Assert.Equal("Boiler room", (string?)first["name"]);
        Assert.Equal("SN-1", (string?)first["serial"]);
        Assert.Equal("Attic", (string?)telemetry.Single(r => (double)r.Json["temperature"]! == 30).Json["name"]);
        foreach (var request in telemetry)
        {
            Assert.Equal("acme", request.Headers["x-tenant"]);
            Assert.Equal("hidden-key-1", request.Headers["x-api-key"]);
            Assert.Equal("Bearer token-1", request.Headers["authorization"]);
            var timestamp = request.Headers["x-centrum-timestamp"];
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}")));
            Assert.Equal("sha256=" + expected, request.Headers["x-centrum-signature"]);
        }

        Assert.Equal(1, receiver.TokensIssued);

        await Wait.UntilAsync(
            () => Task.FromResult(EventTypes(receiver).IsSupersetOf(["devicePropertyReportedChange", "connected", "disconnected", "registered", "displayNameChanged", "deleted"])),
            TimeSpan.FromSeconds(30), "property, connectivity and lifecycle messages exported");
        var events = receiver.At("/events").Select(r => r.Json).ToList();
        Assert.All(receiver.At("/events"), r => Assert.Equal("Bearer fixed-token", r.Headers["authorization"]));
        var reported = events.Single(e => (string?)e["messageType"] == "devicePropertyReportedChange");
        Assert.Equal("properties", (string?)reported["messageSource"]);
        Assert.Equal("boiler-1", (string?)reported["deviceId"]);
        Assert.Equal(Model, (string?)reported["templateId"]);
        Assert.Equal("default@v1", (string?)reported["schema"]);
        var property = Assert.Single(reported["properties"]!.AsArray());
        Assert.Equal("serialNumber", (string?)property!["name"]);
        Assert.Equal("SN-1", (string?)property["value"]);
        Assert.Contains(events, e => (string?)e["messageType"] == "registered" && (string?)e["deviceId"] == "boiler-3" && (string?)e["templateName"] == "Boiler");
        Assert.Contains(events, e => (string?)e["messageType"] == "displayNameChanged" && (string?)e["deviceId"] == "boiler-2");
        Assert.Contains(events, e => (string?)e["messageType"] == "deleted" && (string?)e["deviceId"] == "loose-1");
        Assert.Contains(events, e => (string?)e["messageType"] == "connected" && (string?)e["messageSource"] == "deviceConnectivity" && (string?)e["deviceId"] == "boiler-1");

        // The export reports what it did.
        await Wait.UntilAsync(async () => (long)(await GetAsync(http, "dataExport/exports/hot"))["metrics"]!["delivered"]! == 3, TimeSpan.FromSeconds(10), "delivered count");
        var status = await GetAsync(http, "dataExport/exports/hot");
        Assert.Equal("healthy", (string?)status["status"]);
        Assert.Empty(status["errors"]!.AsArray());
        Assert.NotNull(status["lastExportTime"]);
        var listed = await GetAsync(http, "dataExport/destinations/hook/exports");
        Assert.Equal("hot", (string?)Assert.Single(listed["value"]!.AsArray())!["id"]);

        // A client that writes back what it read (secrets masked) keeps the stored secrets.
        var roundTrip = await GetAsync(http, "dataExport/destinations/hook");
        roundTrip["displayName"] = "Telemetry hook, renamed";
        await PutAsync(http, "dataExport/destinations/hook", roundTrip.ToJsonString());
        await PublishAsync(server, "boiler-2", key2, """{"temperature":40}""");
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/telemetry").Count >= 4), TimeSpan.FromSeconds(30), "a reading after the round trip");
        var after = receiver.At("/telemetry").Single(r => (double)r.Json["temperature"]! == 40);
        Assert.Equal("hidden-key-1", after.Headers["x-api-key"]);
        Assert.StartsWith("Bearer token-", after.Headers["authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renamed_or_moved_device_is_exported_with_its_new_facts_from_its_next_message()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        var key = await http.CreateDeviceAsync("mover", $$$"""{"displayName":"Before","template":"{{{Model}}}","organizations":["north"]}""");
        await PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}in"}""");
        await PutAsync(http, "dataExport/exports/facts", """
            {"displayName":"Facts","enabled":true,"source":"telemetry",
             "enrichments":{"name":{"path":"$displayName"},"organizations":{"path":"$organizations"},"template":{"path":"$templateDisplayName"}},
             "destinations":[{"id":"hook"}]}
            """);

        // One connection throughout: its connect is no change of the device the export could take as one.
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "mover", key, cleanSession: true));
        async Task<JsonObject> SendAsync(int seq)
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/mover/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
                .WithPayload($$"""{"seq":{{seq}}}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await Wait.UntilAsync(() => Task.FromResult(receiver.At("/in").Any(r => (long?)r.Json["telemetry"]?["seq"] == seq)), TimeSpan.FromSeconds(30), $"message {seq} exported");
            return receiver.At("/in").Select(r => r.Json).First(m => (long?)m["telemetry"]?["seq"] == seq)["enrichments"]!.AsObject();
        }

        var first = await SendAsync(1);
        Assert.Equal(("Before", "north", "Boiler"), ((string?)first["name"], (string?)first["organizations"]![0], (string?)first["template"]));
        Assert.Equal("Before", (string?)(await SendAsync(2))["name"]);

        // Renamed: a lifecycle change. Moved: no lifecycle message, but the export's facts must still follow.
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/mover?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"After"}"""))).StatusCode);
        Assert.Equal("After", (string?)(await SendAsync(3))["name"]);
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/mover?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["south"]}"""))).StatusCode);
        var moved = await SendAsync(4);
        Assert.Equal(("After", "south"), ((string?)moved["name"], (string?)Assert.Single(moved["organizations"]!.AsArray())));

        // The template renamed: every device's facts follow.
        var template = await GetTemplateAsync(http);
        template["displayName"] = "Boiler v2";
        var renamed = await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template.ToJsonString()));
        Assert.True(renamed.StatusCode == HttpStatusCode.OK, await renamed.Content.ReadAsStringAsync());
        Assert.Equal("Boiler v2", (string?)(await SendAsync(5))["template"]);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task Definitions_are_checked_whole_and_errors_name_the_member()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        await PutAsync(http, "dataExport/destinations/hook", """{"displayName":"Hook","type":"webhook@v1","url":"http://127.0.0.1:9/x"}""");

        async Task AssertRefusedAsync(string path, string body, string fragment, HttpStatusCode status = HttpStatusCode.BadRequest)
        {
            var response = await http.PutAsync($"api/{path}?{Preview}", CentrumServer.Json(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{path} {body}: {(int)response.StatusCode} {text}");
            Assert.Contains(fragment, text, StringComparison.Ordinal);
        }

        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"logs","destinations":[{"id":"hook"}]}""", "source");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry"}""", "destinations");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","destinations":[{"id":"nowhere"}]}""", "nowhere");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","destinations":[{"id":"hook","transform":"{a: .b"}]}""", "transform");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","filter":"SELECT * FORM devices","destinations":[{"id":"hook"}]}""", "filter");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","filter":"SELECT * FROM dtmi:com:example:Missing;1","destinations":[{"id":"hook"}]}""", "Missing");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","enrichments":{"a":{"path":"$nothing"}},"destinations":[{"id":"hook"}]}""", "enrichments.a.path");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":"yes","source":"telemetry","destinations":[{"id":"hook"}]}""", "enabled");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","destinations":[{"id":"hook"}],"colour":"red"}""", "colour");
        await AssertRefusedAsync("dataExport/exports/e1", """{"displayName":"x","enabled":true,"source":"telemetry","start":"yesterday","destinations":[{"id":"hook"}]}""", "start");
        await AssertRefusedAsync("dataExport/destinations/d2", """{"displayName":"x","type":"dataexplorer@v1"}""", "webhook@v1");
        await AssertRefusedAsync("dataExport/destinations/d2", """{"displayName":"x","type":"webhook@v1","url":"ftp://example.com"}""", "url");
        var ga = await http.GetAsync($"api/dataExport/exports?{DeviceApi.Version}");
        Assert.Equal(HttpStatusCode.BadRequest, ga.StatusCode);

        // A valid export; a PATCH with a stale etag is refused; a destination in use cannot be deleted.
        var created = await PutAsync(http, "dataExport/exports/e1", """{"displayName":"x","enabled":false,"source":"telemetry","destinations":[{"id":"hook"}]}""");
        Assert.Equal("notStarted", (string?)created["status"]);
        var stale = new HttpRequestMessage(HttpMethod.Patch, $"api/dataExport/exports/e1?{Preview}") { Content = CentrumServer.Json("""{"displayName":"y"}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"stale\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await http.SendAsync(stale)).StatusCode);
        var patched = await http.PatchAsync($"api/dataExport/exports/e1?{Preview}", CentrumServer.Json("""{"displayName":"y","filter":"SELECT * FROM devices WHERE $id = 'a'"}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("y", (string?)(await GetAsync(http, "dataExport/exports/e1"))["displayName"]);
        Assert.Equal(HttpStatusCode.Conflict, (await http.DeleteAsync($"api/dataExport/destinations/hook?{Preview}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/dataExport/exports/e1?{Preview}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/dataExport/destinations/hook?{Preview}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/dataExport/exports/e1?{Preview}")).StatusCode);
    }

    internal static async Task CreateTemplateAsync(HttpClient http)
    {
        var template = $$$"""
            {"displayName":"Boiler","@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[
              {"@type":"Telemetry","name":"temperature","schema":"double"},
              {"@type":"Telemetry","name":"seq","schema":"integer"},
              {"@type":"Property","name":"serialNumber","schema":"string"}]}}
            """;
        var response = await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject> GetTemplateAsync(HttpClient http)
    {
        var response = await http.GetAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    internal static async Task<JsonObject> PutAsync(HttpClient http, string path, string body)
    {
        var response = await http.PutAsync($"api/{path}?{Preview}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    internal static async Task<JsonObject> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync($"api/{path}?{Preview}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task PublishAsync(CentrumServer server, string deviceId, string key, string body)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, deviceId, key, cleanSession: true));
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
            .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();
    }

    private static HashSet<string> EventTypes(WebhookReceiver receiver) =>
        receiver.At("/events").Select(r => (string?)r.Json["messageType"]).OfType<string>().ToHashSet();
}
