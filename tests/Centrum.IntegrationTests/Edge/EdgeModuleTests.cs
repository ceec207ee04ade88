using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// Module identities of an IoT Edge device: made through IoT Hub's device-scope registry calls exactly as the IoT Edge
/// identity service makes them, then used by the Azure IoT Node.js SDK's <c>ModuleClient</c>. The registry client
/// follows Azure/iot-identity-service @ a6b1d1628be550ddda8cc65573e509c753b7cb65:
/// <c>identity/aziot-cloud-client-async/src/hub/mod.rs</c> (paths, api-version, bodies, <c>If-Match</c>, the statuses
/// it accepts) and <c>identity/aziot-cloud-client-async/src/connector.rs</c> (the device-scope token: the whole
/// audience lowercased, <c>/</c> left unencoded, 30 seconds of validity, no <c>skn</c>).
/// </summary>
public sealed class EdgeModuleTests
{
    private const string RegistryVersion = "api-version=2017-11-08-preview";

    [Fact]
    public async Task Edge_identity_service_lists_creates_updates_reads_and_deletes_its_modules()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await server.AdminHttp().CreateDeviceAsync("Edge-1", """{"type":["iotEdge"]}""");
        using var hub = server.Http();

        // The runtime's own modules exist from the start; identityd only ever updates them.
        var listed = await SendAsync(server, hub, HttpMethod.Get, "devices/Edge-1/modules", key, "Edge-1");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.Equal(["$edgeAgent", "$edgeHub"], listed.Body!.AsArray().Select(m => (string?)m!["moduleId"]));
        Assert.All(listed.Body!.AsArray(), m => Assert.False(string.IsNullOrEmpty((string?)m!["generationId"])));

        var created = await SendAsync(server, hub, HttpMethod.Put, "devices/Edge-1/modules/filter", key, "Edge-1", """{"moduleId":"filter","deviceId":"Edge-1"}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var generation = (string?)created.Body!["generationId"];
        Assert.False(string.IsNullOrEmpty(generation));
        Assert.Equal("sas", (string?)created.Body["authentication"]!["type"]);

        var again = await SendAsync(server, hub, HttpMethod.Put, "devices/Edge-1/modules/filter", key, "Edge-1", """{"moduleId":"filter","deviceId":"Edge-1"}""");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.StartsWith("ErrorCode:ModuleAlreadyExistsOnDevice;", (string?)again.Body!["Message"]);

        // identityd derives the module's keys from its generation id and sets them with If-Match: *.
        var primary = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var secondary = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var updated = await SendAsync(server, hub, HttpMethod.Put, "devices/Edge-1/modules/filter", key, "Edge-1",
            $$$"""{"moduleId":"filter","deviceId":"Edge-1","authentication":{"symmetricKey":{"primaryKey":"{{{primary}}}","secondaryKey":"{{{secondary}}}"},"type":"sas"}}""", ifMatch: "*");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(generation, (string?)updated.Body!["generationId"]);

        var read = await SendAsync(server, hub, HttpMethod.Get, "devices/Edge-1/modules/filter", key, "Edge-1");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal((primary, secondary), ((string?)read.Body!["authentication"]!["symmetricKey"]!["primaryKey"], (string?)read.Body["authentication"]!["symmetricKey"]!["secondaryKey"]));

        var deleted = await SendAsync(server, hub, HttpMethod.Delete, "devices/Edge-1/modules/filter", key, "Edge-1", ifMatch: "*");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        var gone = await SendAsync(server, hub, HttpMethod.Get, "devices/Edge-1/modules/filter", key, "Edge-1");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.StartsWith("ErrorCode:ModuleNotFound;", (string?)gone.Body!["Message"]);

        var recreated = await SendAsync(server, hub, HttpMethod.Put, "devices/Edge-1/modules/filter", key, "Edge-1", """{"moduleId":"filter","deviceId":"Edge-1"}""");
        Assert.NotEqual(generation, (string?)recreated.Body!["generationId"]);
    }

    [Fact]
    public async Task Registry_calls_need_the_edge_device_own_current_token()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("edge-a", """{"type":["iotEdge"]}""");
        var otherKey = await admin.CreateDeviceAsync("edge-b", """{"type":["iotEdge"]}""");
        var plainKey = await admin.CreateDeviceAsync("plain-1");
        using var hub = server.Http();

        // Another device's key, over a token that names edge-a: the signature is not edge-a's.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, hub, HttpMethod.Get, "devices/edge-a/modules", otherKey, "edge-a")).Status);
        // edge-b's own token, used on edge-a's modules.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, hub, HttpMethod.Get, "devices/edge-a/modules", otherKey, "edge-b")).Status);
        // A token that expired (beyond the allowed clock skew).
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, hub, HttpMethod.Get, "devices/edge-a/modules", edgeKey, "edge-a", expiresIn: TimeSpan.FromMinutes(-5))).Status);
        // No token at all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.SendAsync(Request(server, HttpMethod.Get, "devices/edge-a/modules"))).StatusCode);

        // A device that is not an IoT Edge device holds no modules.
        var plain = await SendAsync(server, hub, HttpMethod.Put, "devices/plain-1/modules/m1", plainKey, "plain-1", """{"moduleId":"m1","deviceId":"plain-1"}""");
        Assert.Equal(HttpStatusCode.BadRequest, plain.Status);
        Assert.StartsWith("ErrorCode:", (string?)plain.Body!["Message"]);

        // An update of a module that does not exist is not a create.
        var missing = await SendAsync(server, hub, HttpMethod.Put, "devices/edge-a/modules/ghost", edgeKey, "edge-a", """{"moduleId":"ghost","deviceId":"edge-a"}""", ifMatch: "*");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    [Fact]
    public async Task Node_sdk_module_client_sends_telemetry_and_keeps_its_own_twin_and_another_application_does_not_know_it()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var key = await admin.CreateDeviceAsync("edge-t", """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var module = await SendAsync(server, hub, HttpMethod.Put, "devices/edge-t/modules/filter", key, "edge-t", """{"moduleId":"filter","deviceId":"edge-t"}""");
        var moduleKey = (string)module.Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;
        var connection = $"HostName={server.HubHostName};DeviceId=edge-t;ModuleId=filter;SharedAccessKey={moduleKey};GatewayHostName={server.Address}";

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = connection,
            module = true,
            transport = "mqtt",
            action = "device",
            twin = true,
            reports = new object[] { new { threshold = 5 } },
            getTwinAgain = true,
            methods = new Dictionary<string, object> { ["reset"] = new { status = 200, payload = new { done = true } } },
            messages = new object[] { new { body = new { temperature = 31.5 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "mod-1" } },
        });
        try
        {
            await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(40));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nServer log:\n" + server.Log, e);
        }

        // Devices_ListModules lists the device's own module, in the published example's shape.
        var modules = await admin.GetJsonAsync("api/devices/edge-t/modules");
        var listed = Assert.Single(modules["value"]!.AsArray());
        Assert.Equal("filter", (string?)listed!["name"]);
        Assert.Equal(["Relationship", "SemanticType/EdgeModule"], listed["@type"]!.AsArray().Select(t => (string?)t));

        // The module's telemetry is read back through the module's telemetry route (IoT Central's GetModuleTelemetryValue).
        var latest = await admin.GetJsonAsync("api/devices/edge-t/modules/filter/telemetry/temperature");
        Assert.Equal(31.5, (double)latest["value"]!);

        // A command through the module's route (RunModuleCommand) reaches the module's own method subscription.
        var run = await admin.PostAsync("api/devices/edge-t/modules/filter/commands/reset?api-version=2022-07-31", CentrumServer.Json("""{"request":{"level":2}}"""));
        var ran = JsonNode.Parse(await run.Content.ReadAsStringAsync())!;
        Assert.True(run.StatusCode == HttpStatusCode.Created, ran.ToJsonString());
        Assert.Equal(200, (int)ran["responseCode"]!);
        Assert.True((bool)ran["response"]!["done"]!);

        device.Release();
        await device.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var events = device.Events;
        Assert.Equal(2, (int)events.Single(e => (string?)e["event"] == "method")["payload"]!["level"]!);
        Assert.Equal(5, (int)events.Single(e => (string?)e["event"] == "twin-again")["reported"]!["threshold"]!);

        // The module's twin is its own: the device's twin did not get the module's report.
        var deviceProperties = await admin.GetJsonAsync("api/devices/edge-t/properties");
        Assert.Null(deviceProperties["threshold"]);

        // Another application sees neither the device nor its module, and the same module credentials addressed to its
        // hub host name are refused.
        await server.RunCliAsync("app", "create", "--id", "other");
        using var other = server.Http(await server.CreateTokenAsync("other-admin", application: "other"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("api/devices/edge-t/modules/filter/telemetry/temperature?api-version=2022-07-31")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("api/devices/edge-t/modules?api-version=2022-07-31")).StatusCode);
        var otherHub = server.HubHostName.Replace("default.", "other.", StringComparison.Ordinal);
        var refused = await NodeDevice.RunAsync(server, new
        {
            connectionString = $"HostName={otherHub};DeviceId=edge-t;ModuleId=filter;SharedAccessKey={moduleKey};GatewayHostName={server.Address}",
            module = true,
            transport = "mqtt",
            action = "telemetry",
            messages = Array.Empty<object>(),
        });
        Assert.Contains(refused, e => (string?)e["event"] == "open-error");

        await server.StopAsync();
        using (var duck = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT device_id, module_id, message_id FROM messages";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(("edge-t", "filter", "mod-1"), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            Assert.False(reader.Read());
        }

        await server.StartAsync();
    }

    private static HttpRequestMessage Request(CentrumServer server, HttpMethod method, string path, string? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, $"{path}?{RegistryVersion}");
        // identityd's base URL is https://{hub host name}; the server under test is addressed by IP here.
        request.Headers.Host = server.HubHostName;
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    internal static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        CentrumServer server, HttpClient http, HttpMethod method, string path, string key, string tokenDevice, string? body = null, string? ifMatch = null, TimeSpan? expiresIn = null)
    {
        using var request = Request(server, method, path, body, ifMatch);
        request.Headers.TryAddWithoutValidation("Authorization", IdentityServiceToken(server.HubHostName, tokenDevice, key, expiresIn ?? TimeSpan.FromSeconds(30)));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>connector.rs <c>generate_token</c>: <c>sr</c> is the lowercased audience, its <c>/</c> unencoded.</summary>
    private static string IdentityServiceToken(string hubHost, string deviceId, string key, TimeSpan expiresIn)
    {
        var sr = $"{hubHost}/devices/{deviceId}".ToLowerInvariant();
        var expiry = DateTimeOffset.UtcNow.Add(expiresIn).ToUnixTimeSeconds();
        var signature = HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes($"{sr}\n{expiry}"));
        return $"SharedAccessSignature sr={sr}&sig={WebUtility.UrlEncode(Convert.ToBase64String(signature))}&se={expiry}";
    }
}
