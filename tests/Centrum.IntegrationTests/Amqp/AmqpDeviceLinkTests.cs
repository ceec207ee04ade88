using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;

namespace Centrum.IntegrationTests.Amqp;

/// <summary>
/// The Azure IoT Node.js SDK over AMQP (azure-iot-device-amqp) beyond telemetry: cloud-to-device messages settled as
/// complete, abandon and reject from the same queue MQTT and HTTPS use; the twin (get, reported patch, desired
/// notifications); direct methods through REST; the same for a module through ModuleClient; and over WebSockets.
/// </summary>
public sealed class AmqpDeviceLinkTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Theory]
    [InlineData("amqp")]
    [InlineData("amqpws")]
    public async Task Cloud_to_device_messages_are_completed_abandoned_and_rejected_as_the_device_settles_them(string transport)
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var deviceId = $"c2d-amqp-{transport}";
        var key = await http.CreateDeviceAsync(deviceId);
        await Gateway.CloudToDeviceTests.SendAsync(http, deviceId, """{"body":{"setpoint":21},"messageId":"m-1","properties":{"priority":"high & urgent"}}""");
        await Gateway.CloudToDeviceTests.SendAsync(http, deviceId, """{"body":"again","messageId":"m-2"}""");
        await Gateway.CloudToDeviceTests.SendAsync(http, deviceId, """{"body":"unwanted","messageId":"m-3"}""");

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport,
            action = "device",
            c2d = true,
            c2dOutcomes = new Dictionary<string, string[]> { ["m-2"] = ["abandon"], ["m-3"] = ["reject"] },
        });
        await Wait.UntilAsync(() => Task.FromResult(device.Events.Count(e => (string?)e["event"] == "c2d-settled") >= 4), TimeSpan.FromSeconds(60), "four settlements");
        await Wait.UntilAsync(async () => await QueuedAsync(server, deviceId) == 0, TimeSpan.FromSeconds(10), "the settled messages leave the queue");

        var received = device.Events.Where(e => (string?)e["event"] == "c2d").ToList();
        Assert.Equal(["m-1", "m-2", "m-2", "m-3"], received.Select(e => (string?)e["id"]).Order());
        var first = received.Single(e => (string?)e["id"] == "m-1");
        Assert.Equal(21, (int)JsonNode.Parse((string)first["body"]!)!["setpoint"]!);
        Assert.Equal("high & urgent", (string?)first["properties"]!["priority"]);
        Assert.NotNull(first["expiry"]);
        var settled = device.Events.Where(e => (string?)e["event"] == "c2d-settled").ToList();
        Assert.All(settled, e => Assert.Null((string?)e["error"]));
        Assert.Equal(["abandon", "complete"], settled.Where(e => (string?)e["id"] == "m-2").Select(e => (string?)e["outcome"]));

        // A message queued while the link is open arrives at once.
        await Gateway.CloudToDeviceTests.SendAsync(http, deviceId, """{"body":"live","messageId":"m-4"}""");
        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "c2d-settled" && (string?)e["id"] == "m-4")), TimeSpan.FromSeconds(30), "the live message arrives");
        device.Release();
    }

    [Fact]
    public async Task An_unsettled_message_is_delivered_again_on_the_next_connection()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("c2d-amqp-forgetful");
        await Gateway.CloudToDeviceTests.SendAsync(http, "c2d-amqp-forgetful", """{"body":{"n":1},"messageId":"once-more"}""");
        var connection = NodeDevice.ConnectionString(server, "c2d-amqp-forgetful", key);

        await using (var forgetful = NodeDevice.Start(server, new { connectionString = connection, transport = "amqp", action = "device", c2d = true, c2dOutcomes = new Dictionary<string, string[]> { ["once-more"] = ["none"] } }))
        {
            await Wait.UntilAsync(() => Task.FromResult(forgetful.Events.Any(e => (string?)e["event"] == "c2d")), TimeSpan.FromSeconds(60), "the message arrives");
            forgetful.Release();
            await forgetful.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(1, await QueuedAsync(server, "c2d-amqp-forgetful"));
        await using var again = NodeDevice.Start(server, new { connectionString = connection, transport = "amqp", action = "device", c2d = true });
        await Wait.UntilAsync(() => Task.FromResult(again.Events.Any(e => (string?)e["event"] == "c2d-settled")), TimeSpan.FromSeconds(60), "the message arrives again and is completed");
        Assert.Equal("once-more", (string?)again.Events.Single(e => (string?)e["event"] == "c2d")["id"]);
        await Wait.UntilAsync(async () => await QueuedAsync(server, "c2d-amqp-forgetful") == 0, TimeSpan.FromSeconds(10), "the completed message leaves the queue");
        again.Release();
    }

    [Theory]
    [InlineData("amqp")]
    [InlineData("amqpws")]
    public async Task Twin_and_direct_methods_work_over_AMQP_as_over_MQTT(string transport)
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var deviceId = $"twin-amqp-{transport}";
        var key = await http.CreateDeviceAsync(deviceId);
        var written = await http.PatchAsync($"api/devices/{deviceId}/properties?{DeviceApi.Version}", CentrumServer.Json("""{"telemetrySendFrequency":"5m"}"""));
        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport,
            action = "device",
            twin = true,
            desired = true,
            confirmDesired = true,
            ack = new { code = 200, description = "applied" },
            reports = new object[] { new { firmwareVersion = "1.2.1" } },
            getTwinAgain = true,
            methods = new Dictionary<string, object>
            {
                ["getDeviceLog"] = new { status = 200, payload = new { lines = new List<string> { "a", "b" } } },
                ["reboot"] = new { status = 500, payload = new { reason = "busy" } },
            },
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        var twin = device.Events.Single(e => (string?)e["event"] == "twin");
        Assert.Equal("5m", (string?)twin["desired"]!["telemetrySendFrequency"]);
        Assert.Equal(2, (int)twin["desired"]!["$version"]!);
        Assert.Contains(device.Events, e => (string?)e["event"] == "desired-enabled");
        var again = device.Events.Single(e => (string?)e["event"] == "twin-again");
        Assert.Equal("1.2.1", (string?)again["reported"]!["firmwareVersion"]);
        Assert.Equal("1.2.1", (string?)(await http.GetJsonAsync($"api/devices/{deviceId}/properties"))["firmwareVersion"]);

        var desired = await http.PatchAsync($"api/devices/{deviceId}/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":21.5}"""));
        Assert.Equal(HttpStatusCode.Accepted, desired.StatusCode);
        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "desired" && (double?)e["delta"]?["targetTemperature"] == 21.5)),
            TimeSpan.FromSeconds(30), "the device receives the desired patch");
        Assert.Equal(3, (int)device.Events.Last(e => (string?)e["event"] == "desired")["delta"]!["$version"]!);
        await Wait.UntilAsync(async () => (string?)(await http.GetJsonAsync($"api/devices/{deviceId}/properties"))["$metadata"]!["targetTemperature"]!["state"] == "accepted",
            TimeSpan.FromSeconds(30), "the acknowledgement settles the property");

        var log = await RunCommandAsync(http, $"api/devices/{deviceId}/commands/getDeviceLog", """{"connectionTimeout":30,"request":{"count":2}}""");
        Assert.Equal(200, (int)log["responseCode"]!);
        Assert.Equal(["a", "b"], log["response"]!["lines"]!.AsArray().Select(l => (string?)l));
        Assert.Equal(2, (int)device.Events.Single(e => (string?)e["event"] == "method")["payload"]!["count"]!);
        var failed = await RunCommandAsync(http, $"api/devices/{deviceId}/commands/reboot", "{}");
        Assert.Equal(500, (int)failed["responseCode"]!);
        Assert.Equal("busy", (string?)failed["response"]!["reason"]);
        device.Release();
    }

    [Fact]
    public async Task A_module_client_over_AMQP_has_its_own_telemetry_twin_and_methods()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var key = await admin.CreateDeviceAsync("edge-amqp", """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var module = await Edge.EdgeModuleTests.SendAsync(server, hub, HttpMethod.Put, "devices/edge-amqp/modules/filter", key, "edge-amqp", """{"moduleId":"filter","deviceId":"edge-amqp"}""");
        var moduleKey = (string)module.Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = $"HostName={server.HubHostName};DeviceId=edge-amqp;ModuleId=filter;SharedAccessKey={moduleKey};GatewayHostName={server.Address}",
            module = true,
            transport = "amqp",
            action = "device",
            twin = true,
            reports = new object[] { new { threshold = 5 } },
            getTwinAgain = true,
            methods = new Dictionary<string, object> { ["reset"] = new { status = 200, payload = new { done = true } } },
            messages = new object[] { new { body = new { temperature = 31.5 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "mod-1" } },
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        Assert.Equal(31.5, (double)(await admin.GetJsonAsync("api/devices/edge-amqp/modules/filter/telemetry/temperature"))["value"]!);
        Assert.Equal(5, (int)device.Events.Single(e => (string?)e["event"] == "twin-again")["reported"]!["threshold"]!);
        Assert.Null((await admin.GetJsonAsync("api/devices/edge-amqp/properties"))["threshold"]);
        var ran = await RunCommandAsync(admin, "api/devices/edge-amqp/modules/filter/commands/reset", """{"connectionTimeout":30,"request":{"level":2}}""");
        Assert.Equal(200, (int)ran["responseCode"]!);
        Assert.True((bool)ran["response"]!["done"]!);
        Assert.Equal(2, (int)device.Events.Single(e => (string?)e["event"] == "method")["payload"]!["level"]!);
        device.Release();
    }

    [Fact]
    public async Task Links_to_another_devices_twin_methods_or_messages_are_refused_and_one_cloud_to_device_link_holds_at_a_time()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("links-own");
        await http.CreateDeviceAsync("links-other");

        await using var client = await AmqpTestClient.ConnectAsync(server);
        await client.PutTokenAsync("links-own", AmqpTestClient.Token(server, "links-own", key));
        foreach (var address in new[] { "/devices/links-other/messages/deviceBound", "/devices/links-other/twin", "/devices/links-other/methods/devicebound" })
        {
            var refused = await Assert.ThrowsAsync<AmqpException>(() => client.OpenReceiverAsync(address));
            Assert.Equal(AmqpErrorCode.UnauthorizedAccess, refused.Error.Condition);
        }

        var module = await Assert.ThrowsAsync<AmqpException>(() => client.OpenReceiverAsync("/devices/links-own/modules/m1/twin"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, module.Error.Condition);

        // The device's own links open; a second cloud-to-device link for the same device is refused while the first holds.
        await client.OpenReceiverAsync("/devices/links-own/twin");
        await client.OpenReceiverAsync("/devices/links-own/messages/deviceBound");
        var second = await Assert.ThrowsAsync<AmqpException>(() => client.OpenReceiverAsync("/devices/links-own/messages/devicebound"));
        Assert.Equal(AmqpErrorCode.ResourceLocked, second.Error.Condition);
        Assert.False(client.Connection.IsClosing());
    }

    [Fact]
    public async Task Edge_hub_puts_its_token_for_a_downstream_device_and_module_of_its_scope_and_not_for_one_outside_it()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("amqp-gw-1", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("amqp-leaf-1");
        await admin.CreateDeviceAsync("amqp-leaf-2");
        var linked = await admin.PutAsync($"api/devices/amqp-gw-1/relationships/link-1?{DeviceApi.Version}", CentrumServer.Json("""{"source":"amqp-gw-1","target":"amqp-leaf-1"}"""));
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var token = Edge.EdgeHubUpstream.ClientToken(server.HubHostName, "amqp-gw-1", await Edge.EdgeHubUpstream.EdgeHubKeyAsync(server, "amqp-gw-1", edgeKey));

        // edgeHub's pooled upstream connection: one connection, each client's audience, the hub's token.
        await using var client = await AmqpTestClient.ConnectAsync(server);
        await client.PutTokenAsync("amqp-leaf-1", token);
        await client.PutTokenAsync("amqp-gw-1/modules/$edgeAgent", token);
        var leaf = await client.OpenTelemetryAsync("/devices/amqp-leaf-1/messages/events");
        Assert.IsType<Microsoft.Azure.Amqp.Framing.Accepted>(await AmqpTestClient.SendAsync(leaf, """{"temperature":7}"""));
        Assert.Equal(7, (double)(await admin.GetJsonAsync("api/devices/amqp-leaf-1/telemetry/temperature"))["value"]!);
        var agent = await client.OpenTelemetryAsync("/devices/amqp-gw-1/modules/%24edgeAgent/messages/events");
        Assert.False(agent.IsClosing());
        var moduleMessages = await Assert.ThrowsAsync<AmqpException>(() => client.OpenReceiverAsync("/devices/amqp-gw-1/modules/%24edgeAgent/messages/deviceBound"));
        Assert.Equal(AmqpErrorCode.NotFound, moduleMessages.Error.Condition);

        var outside = await Assert.ThrowsAsync<AmqpException>(() => client.PutTokenAsync("amqp-leaf-2", token));
        Assert.Contains("status-code: 401", outside.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<AmqpException>(() => client.OpenTelemetryAsync("/devices/amqp-leaf-2/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, refused.Error.Condition);
    }

    private static async Task<JsonNode> RunCommandAsync(HttpClient http, string path, string body)
    {
        var response = await http.PostAsync($"{path}?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private static Task<long> QueuedAsync(CentrumServer server, string deviceId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "centrum.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM c2d_messages WHERE DeviceId = $id";
        command.Parameters.AddWithValue("$id", deviceId);
        return Task.FromResult((long)command.ExecuteScalar()!);
    }
}
