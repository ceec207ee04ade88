using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Simulation;

/// <summary>
/// Simulated devices run inside the server as MQTT clients of its own gateway: created through REST, their telemetry
/// is stored and queried as any device's, they acknowledge writable properties and answer commands, and the
/// supervisor follows the registry (disable, delete, restart).
/// </summary>
public sealed class SimulatedDeviceTests
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string TemplateId = "dtmi:com:example:SimThermostat;1";

    /// <summary>A second between messages, so a test sees several within its wait; the registry compared every two seconds.</summary>
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["Centrum:Simulation:TelemetryInterval"] = "00:00:01",
        ["Centrum:Simulation:ReconcileInterval"] = "00:00:02",
    };

    private static readonly string[] Modes = ["heat", "cool", "off"];

    private const string Template = $$"""
        {
          "@type": ["ModelDefinition", "DeviceModel"],
          "displayName": "Simulated thermostat",
          "capabilityModel": {
            "@context": "dtmi:dtdl:context;2",
            "@id": "{{TemplateId}}",
            "@type": "Interface",
            "contents": [
              { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" },
              { "@type": ["Telemetry", "RelativeHumidity"], "name": "humidity", "schema": "integer", "unit": "percent" },
              { "@type": "Telemetry", "name": "mode", "schema": {
                  "@type": "Enum", "valueSchema": "string",
                  "enumValues": [ { "name": "heat", "enumValue": "heat" }, { "name": "cool", "enumValue": "cool" }, { "name": "off", "enumValue": "off" } ] } },
              { "@type": ["Property", "Temperature"], "name": "targetTemperature", "schema": "double", "unit": "degreeCelsius", "writable": true },
              { "@type": "Property", "name": "serialNumber", "schema": "string" },
              { "@type": "Command", "name": "getMaxMinReport",
                "request": { "name": "since", "schema": "dateTime" },
                "response": { "name": "report", "schema": { "@type": "Object", "fields": [
                  { "name": "maxTemp", "schema": "double" }, { "name": "minTemp", "schema": "double" }, { "name": "endTime", "schema": "dateTime" } ] } } }
            ]
          }
        }
        """;

    [Fact]
    public async Task A_simulated_device_created_through_REST_connects_and_its_telemetry_is_queryable_within_its_declared_ranges()
    {
        await using var server = await CentrumServer.StartAsync(Fast);
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        await CreateSimulatedAsync(http, "sim-1");

        await WaitConnectedAsync(http, "sim-1", true);
        var rows = await WaitForRowsAsync(http, $"SELECT $id, temperature, humidity, mode FROM {TemplateId} WHERE WITHIN_WINDOW(PT1H)", 3);

        Assert.All(rows, row =>
        {
            Assert.Equal("sim-1", (string?)row["$id"]);
            Assert.InRange((double)row["temperature"]!, 15, 35);
            Assert.InRange((long)row["humidity"]!, 0, 100);
            Assert.Contains((string?)row["mode"], Modes);
        });
        var last = await http.GetJsonAsync("api/devices/sim-1/telemetry/temperature");
        Assert.InRange((double)last["value"]!, 15, 35);

        // Read-only properties are reported at connect, with a value of their schema.
        await Wait.UntilAsync(async () => (await http.GetJsonAsync("api/devices/sim-1/properties"))["serialNumber"] is JsonValue,
            TimeSpan.FromSeconds(30), "the device reports its read-only property");
    }

    [Fact]
    public async Task A_simulated_device_acknowledges_a_written_property_and_answers_a_command_with_its_response_schema()
    {
        await using var server = await CentrumServer.StartAsync(Fast);
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        await CreateSimulatedAsync(http, "sim-2");
        await WaitConnectedAsync(http, "sim-2", true);

        var written = await http.PatchAsync($"api/devices/sim-2/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":21.5}"""));
        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);
        await Wait.UntilAsync(async () => (string?)(await http.GetJsonAsync("api/devices/sim-2/properties"))["$metadata"]!["targetTemperature"]!["state"] == "accepted",
            TimeSpan.FromSeconds(30), "the property is accepted");
        var properties = await http.GetJsonAsync("api/devices/sim-2/properties");
        Assert.Equal(21.5, (double)properties["targetTemperature"]!);
        Assert.Equal(200, (int)properties["$metadata"]!["targetTemperature"]!["ackCode"]!);

        var called = await http.PostAsync($"api/devices/sim-2/commands/getMaxMinReport?{DeviceApi.Version}",
            CentrumServer.Json("""{"connectionTimeout":30,"request":"2026-01-01T00:00:00Z"}"""));
        var text = await called.Content.ReadAsStringAsync();
        Assert.True(called.StatusCode == HttpStatusCode.Created, text);
        var answer = JsonNode.Parse(text)!;
        Assert.Equal(200, (int)answer["responseCode"]!);
        var report = answer["response"]!.AsObject();
        Assert.Equal(["maxTemp", "minTemp", "endTime"], report.Select(p => p.Key));
        // A field without a semantic type is placed by its name: a temperature's range.
        Assert.InRange((double)report["maxTemp"]!, 15, 35);
        Assert.True(DateTimeOffset.TryParse((string?)report["endTime"], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _));
    }

    [Fact]
    public async Task A_simulated_device_plays_its_templates_components_and_follows_a_move_to_another_template()
    {
        await using var server = await CentrumServer.StartAsync(Fast);
        var http = server.AdminHttp();
        const string Controller = "dtmi:com:example:TemperatureController;2";
        var documents = Models.WithDependencies(Path.Combine(Models.Folder, "com", "example", "temperaturecontroller-2.json"));
        var controller = new JsonObject { ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"), ["capabilityModel"] = new JsonArray(documents.ToArray()) };
        var saved = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Controller)}?{DeviceApi.Version}", CentrumServer.Json(controller.ToJsonString()));
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        await CreateTemplateAsync(http);
        var created = await http.PutAsync($"api/devices/sim-tc?{DeviceApi.Version}", CentrumServer.Json($$"""{"template":"{{Controller}}","simulated":true}"""));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        await WaitConnectedAsync(http, "sim-tc", true);

        // Each component's telemetry is its own message ($.sub), its read-only properties are reported inside it.
        await Wait.UntilAsync(async () => (await http.GetAsync($"api/devices/sim-tc/components/thermostat2/telemetry/temperature?{DeviceApi.Version}")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), "thermostat2's temperature arrives");
        var temperature = await http.GetJsonAsync("api/devices/sim-tc/components/thermostat2/telemetry/temperature");
        Assert.InRange((double)temperature["value"]!, 15, 35);
        await Wait.UntilAsync(async () => (await http.GetJsonAsync("api/devices/sim-tc/components/thermostat1/properties"))["maxTempSinceLastReboot"] is JsonValue,
            TimeSpan.FromSeconds(30), "thermostat1 reports its read-only property");

        var written = await http.PatchAsync($"api/devices/sim-tc/components/thermostat1/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":19}"""));
        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);
        await Wait.UntilAsync(async () => (string?)(await http.GetJsonAsync("api/devices/sim-tc/components/thermostat1/properties"))["$metadata"]?["targetTemperature"]?["state"] == "accepted",
            TimeSpan.FromSeconds(30), "thermostat1's property is accepted");
        var called = await http.PostAsync($"api/devices/sim-tc/components/thermostat1/commands/getMaxMinReport?{DeviceApi.Version}",
            CentrumServer.Json("""{"connectionTimeout":30,"request":"2026-01-01T00:00:00Z"}"""));
        var answer = JsonNode.Parse(await called.Content.ReadAsStringAsync())!;
        Assert.True(called.StatusCode == HttpStatusCode.Created, answer.ToJsonString());
        Assert.Equal(200, (int)answer["responseCode"]!);
        Assert.Equal(["maxTemp", "minTemp", "avgTemp", "startTime", "endTime"], answer["response"]!.AsObject().Select(p => p.Key));

        // Moved to another template, the device is restarted as that template's device.
        var moved = await http.PatchAsync($"api/devices/sim-tc?{DeviceApi.Version}", CentrumServer.Json($$"""{"template":"{{TemplateId}}"}"""));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var rows = await WaitForRowsAsync(http, $"SELECT $id, mode FROM {TemplateId} WHERE WITHIN_WINDOW(PT1H) AND $id = 'sim-tc'", 2);
        Assert.All(rows, row => Assert.Contains((string?)row["mode"], Modes));
    }

    [Fact]
    public async Task Disabling_deleting_or_unflagging_a_simulated_device_stops_its_client_and_a_restart_brings_the_others_back()
    {
        await using var server = await CentrumServer.StartAsync(Fast);
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        string[] all = ["sim-a", "sim-b", "sim-c", "sim-d"];
        foreach (var id in all)
        {
            await CreateSimulatedAsync(http, id);
        }

        foreach (var id in all)
        {
            await WaitConnectedAsync(http, id, true);
        }

        await WaitRunningAsync(server, 4);

        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/sim-a?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":false}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/sim-b?{DeviceApi.Version}")).StatusCode);
        await WaitRunningAsync(server, 2);
        await WaitConnectedAsync(http, "sim-a", false);

        // The simulated flag publishes no device event: the periodic comparison with the registry stops the client.
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/sim-d?{DeviceApi.Version}", CentrumServer.Json("""{"simulated":false}"""))).StatusCode);
        await WaitRunningAsync(server, 1);
        await WaitConnectedAsync(http, "sim-d", false);

        await server.RestartAsync();
        http = server.AdminHttp();
        await WaitConnectedAsync(http, "sim-c", true);
        await WaitRunningAsync(server, 1);
        var before = await CountAsync(http, "sim-c");
        await Wait.UntilAsync(async () => await CountAsync(http, "sim-c") > before, TimeSpan.FromSeconds(30), "sim-c sends telemetry after the restart");
        Assert.False((bool)(await http.GetJsonAsync("api/devices/sim-a"))["connected"]!);
        Assert.False((bool)(await http.GetJsonAsync("api/devices/sim-d"))["connected"]!);

        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/sim-a?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":true}"""))).StatusCode);
        await WaitConnectedAsync(http, "sim-a", true);
        await WaitRunningAsync(server, 2);
    }

    [Fact]
    public async Task A_refused_simulated_device_retries_until_admitted_and_signs_in_with_its_new_keys_after_they_are_replaced()
    {
        // One MQTT connection for the node: the second simulated device is refused at accept while the first holds it.
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>(Fast) { ["Centrum:Gateway:MaxConnections"] = "1" });
        var http = server.AdminHttp();
        await CreateTemplateAsync(http);
        await CreateSimulatedAsync(http, "sim-x");
        await WaitConnectedAsync(http, "sim-x", true);
        await CreateSimulatedAsync(http, "sim-y");
        await Wait.UntilAsync(() => Task.FromResult(server.Log.Contains("Simulated device sim-y of application default could not connect", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "sim-y is refused and retries");
        Assert.False((bool)(await http.GetJsonAsync("api/devices/sim-y"))["connected"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/sim-x?{DeviceApi.Version}")).StatusCode);
        await WaitConnectedAsync(http, "sim-y", true);

        // Replacing the keys closes the device's connection; the client asks the registry for them at each connection.
        var connectedAt = (string?)(await http.GetJsonAsync("api/devices/sim-y"))["lastConnectTime"];
        var keys = new JsonObject
        {
            ["type"] = "symmetricKey",
            ["symmetricKey"] = new JsonObject
            {
                ["primaryKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)),
                ["secondaryKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)),
            },
        };
        var replaced = await http.PutAsync($"api/devices/sim-y/attestation?{DeviceApi.Version}", CentrumServer.Json(keys.ToJsonString()));
        Assert.True(replaced.StatusCode == HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        await Wait.UntilAsync(async () =>
        {
            var device = await http.GetJsonAsync("api/devices/sim-y");
            return (bool)device["connected"]! && (string?)device["lastConnectTime"] != connectedAt;
        }, TimeSpan.FromSeconds(60), "sim-y connects again with its new key");
        var before = await CountAsync(http, "sim-y");
        await Wait.UntilAsync(async () => await CountAsync(http, "sim-y") > before, TimeSpan.FromSeconds(30), "sim-y sends telemetry after its keys changed");
    }

    [Fact]
    public async Task The_first_start_offers_a_demo_of_five_simulated_devices_whose_data_is_queryable_within_a_minute()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Simulation:Demo"] = "true" });
        var http = server.AdminHttp();

        var devices = (await http.GetJsonAsync("api/devices"))["value"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(5, devices.Count);
        Assert.All(devices, d =>
        {
            Assert.True((bool)d["simulated"]!);
            Assert.Equal("dtmi:com:example:climatemonitor;1", (string?)d["template"]);
        });
        var rows = await WaitForRowsAsync(http, "SELECT $id, temperature, humidity, pressure FROM dtmi:com:example:climatemonitor;1 WHERE WITHIN_WINDOW(PT1H)", 5,
            r => r.Select(row => (string?)row["$id"]).Distinct().Count() == 5);
        Assert.All(rows, row =>
        {
            Assert.InRange((long)row["temperature"]!, 15, 35);
            Assert.InRange((long)row["humidity"]!, 0, 100);
            Assert.InRange((long)row["pressure"]!, 980, 1040);
        });
        foreach (var device in devices)
        {
            await WaitConnectedAsync(http, (string)device["id"]!, true);
        }

        // A warm start offers nothing again: the demo belongs to the first start only.
        await server.RestartAsync();
        http = server.AdminHttp();
        Assert.Equal(5, (await http.GetJsonAsync("api/devices"))["value"]!.AsArray().Count);
        await WaitRunningAsync(server, 5);
        Assert.Single(server.Log.Split('\n'), l => l.Contains("got the demo template", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Log.Split('\n'), l => l.Contains(" warn: ", StringComparison.Ordinal));
    }

    private static async Task CreateTemplateAsync(HttpClient http)
    {
        var created = await http.PutAsync($"api/deviceTemplates/{TemplateId}?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
    }

    private static async Task CreateSimulatedAsync(HttpClient http, string deviceId)
    {
        var created = await http.PutAsync($"api/devices/{deviceId}?{DeviceApi.Version}", CentrumServer.Json($$"""{"template":"{{TemplateId}}","simulated":true}"""));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
    }

    private static Task WaitConnectedAsync(HttpClient http, string deviceId, bool connected) =>
        Wait.UntilAsync(async () => (bool)(await http.GetJsonAsync($"api/devices/{deviceId}"))["connected"]! == connected,
            TimeSpan.FromSeconds(60), $"{deviceId} is {(connected ? "connected" : "disconnected")}");

    /// <summary>The server's own count of running simulated clients (its metric), which a stopped client leaves and a reconnecting one does not.</summary>
    private static async Task WaitRunningAsync(CentrumServer server, int expected)
    {
        using var probe = new HttpClient();
        await Wait.UntilAsync(async () =>
        {
            var metrics = await probe.GetStringAsync($"http://{server.Address}:9464/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("centrum_simulation_devices_running", StringComparison.Ordinal));
            // "name{labels} value [timestamp]" (Prometheus text exposition format).
            var sample = line?[(line.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return sample is { Length: > 0 } && double.Parse(sample[0], CultureInfo.InvariantCulture) == expected;
        }, TimeSpan.FromSeconds(60), $"{expected} simulated devices run");
    }

    private static async Task<long> CountAsync(HttpClient http, string deviceId)
    {
        var rows = await QueryAsync(http, $"SELECT COUNT(temperature) FROM {TemplateId} WHERE WITHIN_WINDOW(PT1H) AND $id = '{deviceId}'");
        return rows.Count == 0 ? 0 : (long)rows[0]["count_temperature"]!;
    }

    private static async Task<IReadOnlyList<JsonObject>> WaitForRowsAsync(HttpClient http, string query, int atLeast, Func<IReadOnlyList<JsonObject>, bool>? also = null)
    {
        IReadOnlyList<JsonObject> rows = [];
        await Wait.UntilAsync(async () =>
        {
            rows = await QueryAsync(http, query);
            return rows.Count >= atLeast && (also is null || also(rows));
        }, TimeSpan.FromSeconds(60), $"{atLeast} rows of {query}");
        return rows;
    }

    private static async Task<IReadOnlyList<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }
}
