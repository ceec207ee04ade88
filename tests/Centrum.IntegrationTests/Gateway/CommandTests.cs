using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Commands (direct methods) invoked through REST and answered by the Node.js SDK's onDeviceMethod. The cases share one
/// server, each with its own devices.
/// </summary>
public class CommandTests(SharedServer shared) : IClassFixture<SharedServer>
{
    protected CommandTests(MetadataStore store, SharedServer shared)
        : this(shared) => Store = store;

    /// <summary>The metadata store the server of these tests runs on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; } = MetadataStore.Sqlite;

    [Theory]
    [InlineData("mqtt")]
    [InlineData("mqttws")]
    [InlineData("amqp")]
    public async Task A_command_reaches_only_its_device_and_its_answer_comes_back(string transport)
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var (deviceId, otherId) = ($"lock-1-{transport}", $"lock-2-{transport}");
        var key = await http.CreateDeviceAsync(deviceId);
        var otherKey = await http.CreateDeviceAsync(otherId);
        var methods = new Dictionary<string, object>
        {
            ["getDeviceLog"] = new { status = 200, payload = "example payload" },
            ["lockDoor"] = new { status = 200 },
            ["reboot"] = new { status = 500, payload = new { reason = "busy" } },
            ["slow"] = new { status = 200, delayMs = 15_000 },
        };
        await using var device = NodeDevice.Start(server, new { connectionString = NodeDevice.ConnectionString(server, deviceId, key), transport, action = "device", methods });
        await using var other = NodeDevice.Start(server, new { connectionString = NodeDevice.ConnectionString(server, otherId, otherKey), transport, action = "device", methods });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        await other.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        // connectionTimeout waits until the device listens for methods (the SDK subscribes asynchronously).
        var log = await RunAsync(http, deviceId, "getDeviceLog", """{"connectionTimeout":30,"request":{"lines":10}}""");
        Assert.Equal(200, (int)log["responseCode"]!);
        Assert.Equal("example payload", (string?)log["response"]);
        Assert.Equal(10, (int)log["request"]!["lines"]!);
        var called = device.Events.Single(e => (string?)e["event"] == "method" && (string?)e["name"] == "getDeviceLog");
        Assert.Equal(10, (int)called["payload"]!["lines"]!);

        var unlock = await RunAsync(http, deviceId, "lockDoor", "{}");
        Assert.Equal(200, (int)unlock["responseCode"]!);
        Assert.Null(unlock["response"]);
        var noPayload = device.Events.Single(e => (string?)e["event"] == "method" && (string?)e["name"] == "lockDoor");
        Assert.True(noPayload.ContainsKey("payload") && noPayload["payload"] is null, "a command without payload reaches the device as null");

        var failed = await RunAsync(http, deviceId, "reboot", """{"request":"now"}""");
        Assert.Equal(500, (int)failed["responseCode"]!);
        Assert.Equal("busy", (string?)failed["response"]!["reason"]);

        var watch = Stopwatch.StartNew();
        var slow = await http.PostAsync($"api/devices/{deviceId}/commands/slow?{DeviceApi.Version}", CentrumServer.Json("""{"responseTimeout":5}"""));
        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(14));

        // The other device, subscribed to the same filter, saw none of it.
        Assert.DoesNotContain(other.Events, e => (string?)e["event"] == "method");

        var history = await http.GetJsonAsync($"api/devices/{deviceId}/commands/getDeviceLog");
        var entry = Assert.Single(history["value"]!.AsArray());
        Assert.Equal((string?)log["id"], (string?)entry!["id"]);
        Assert.Equal(200, (int)entry["responseCode"]!);
        device.Release();
        other.Release();
    }

    [Fact]
    public async Task A_command_to_a_device_that_is_not_connected_is_refused_or_queued()
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("offline-1");

        var refused = await http.PostAsync($"api/devices/offline-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("{}"));
        await Api.RestAuthorizationTests.AssertErrorAsync(refused, HttpStatusCode.NotFound, "DeviceNotOnline");
        var unknown = await http.PostAsync($"api/devices/nobody/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("{}"));
        await Api.RestAuthorizationTests.AssertErrorAsync(unknown, HttpStatusCode.NotFound, "NotFound");
        var badBody = await http.PostAsync($"api/devices/offline-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("""{"responseTimeout":"soon"}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(badBody, HttpStatusCode.BadRequest, "BadRequest");

        // The API bounds both timeouts (IoT Central REST API 2022-07-31, DeviceCommand: connectionTimeout 0..30,
        // responseTimeout 5..30).
        foreach (var outOfBounds in new[] { """{"connectionTimeout":31}""", """{"responseTimeout":31}""", """{"responseTimeout":4}""", """{"connectionTimeout":-1}""" })
        {
            var refusedTimeout = await http.PostAsync($"api/devices/offline-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json(outOfBounds));
            await Api.RestAuthorizationTests.AssertErrorAsync(refusedTimeout, HttpStatusCode.BadRequest, "BadRequest");
        }

        await Api.RestAuthorizationTests.AssertErrorAsync(
            await http.PostAsync($"api/devices/offline-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("""{"connectionTimeout":0,"responseTimeout":30}""")),
            HttpStatusCode.NotFound, "DeviceNotOnline");

        // Refused executions are in the history with a response code, as every entry of the Devices_GetComponentCommandHistory
        // example (2022-07-31) carries one: 404, the status IoT Hub answers DeviceNotOnline with.
        var history = await http.GetJsonAsync("api/devices/offline-1/commands/reboot");
        var entries = history["value"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(404, (int)e!["responseCode"]!));

        var queued = await http.PostAsync($"api/devices/offline-1/commands/reboot?{DeviceApi.Version}&queueIfOffline=true", CentrumServer.Json("""{"request":{"delay":5}}"""));
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        Assert.Equal(202, (int)JsonNode.Parse(await queued.Content.ReadAsStringAsync())!["responseCode"]!);
    }

    [Fact]
    public async Task A_command_to_a_device_that_drops_its_connection_is_answered_device_not_online_at_once()
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("flaky-1");
        var methods = new Dictionary<string, object> { ["reboot"] = new { disconnect = true } };
        await using var device = NodeDevice.Start(server, new { connectionString = NodeDevice.ConnectionString(server, "flaky-1", key), transport = "mqtt", action = "device", methods });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        // The device takes the request and hangs up without answering: the caller learns it then, not after 30 s.
        var watch = Stopwatch.StartNew();
        var dropped = await http.PostAsync($"api/devices/flaky-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("""{"connectionTimeout":20,"responseTimeout":30}"""));
        var elapsed = watch.Elapsed;
        await Api.RestAuthorizationTests.AssertErrorAsync(dropped, HttpStatusCode.NotFound, "DeviceNotOnline");
        Assert.Contains(device.Events, e => (string?)e["event"] == "method" && (string?)e["name"] == "reboot");
        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"answered after {elapsed}, not when the connection dropped");

        // The server goes on serving: another device still answers its command.
        var otherKey = await http.CreateDeviceAsync("steady-1");
        await using var steady = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "steady-1", otherKey),
            transport = "mqtt",
            action = "device",
            methods = new Dictionary<string, object> { ["reboot"] = new { status = 200 } },
        });
        await steady.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        var answered = await RunAsync(http, "steady-1", "reboot", """{"connectionTimeout":30}""");
        Assert.Equal(200, (int)answered["responseCode"]!);
        steady.Release();
    }

    private static async Task<JsonNode> RunAsync(HttpClient http, string deviceId, string command, string body)
    {
        var response = await http.PostAsync($"api/devices/{deviceId}/commands/{command}?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{command}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class CommandTestsOnPostgreSql(SharedServer shared) : CommandTests(MetadataStore.PostgreSql, shared);
