using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Device twins with the Node.js SDK over both transports, read and written through REST. The cases share one server,
/// each with its own device.
/// </summary>
public class TwinTests(SharedServer shared) : IClassFixture<SharedServer>
{
    protected TwinTests(MetadataStore store, SharedServer shared)
        : this(shared) => Store = store;

    /// <summary>The metadata store the server of these tests runs on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; } = MetadataStore.Sqlite;

    private const string DesiredFilter = "$iothub/twin/PATCH/properties/desired/#";

    [Theory]
    [InlineData("mqtt")]
    [InlineData("mqttws")]
    public async Task GetTwin_returns_what_REST_shows_and_reported_updates_show_in_REST_with_version_and_time(string transport)
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var deviceId = $"twin-1-{transport}";
        var key = await http.CreateDeviceAsync(deviceId);
        var written = await http.PatchAsync($"api/devices/{deviceId}/properties?{DeviceApi.Version}", CentrumServer.Json("""{"telemetrySendFrequency":"5m"}"""));
        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);
        Assert.Equal("5m", (string?)JsonNode.Parse(await written.Content.ReadAsStringAsync())!["$metadata"]!["telemetrySendFrequency"]!["desiredValue"]);

        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport,
            action = "device",
            twin = true,
            reports = new object[] { new { firmwareVersion = "1.2.1", weather = new { temperature = 72, humidity = 17 } } },
            getTwinAgain = true,
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));

        var twin = device.Events.Single(e => (string?)e["event"] == "twin");
        Assert.Equal("5m", (string?)twin["desired"]!["telemetrySendFrequency"]);
        Assert.Equal(2, (int)twin["desired"]!["$version"]!);
        Assert.Equal(1, (int)twin["reported"]!["$version"]!);
        var again = device.Events.Single(e => (string?)e["event"] == "twin-again");
        Assert.Equal(2, (int)again["reported"]!["$version"]!);
        Assert.Equal(72, (int)again["reported"]!["weather"]!["temperature"]!);

        var properties = await http.GetJsonAsync($"api/devices/{deviceId}/properties");
        Assert.Equal("1.2.1", (string?)properties["firmwareVersion"]);
        Assert.Equal(17, (int)properties["weather"]!["humidity"]!);
        var metadata = properties["$metadata"]!["firmwareVersion"]!;
        Assert.Equal(2, (int)metadata["reportedVersion"]!);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)metadata["lastUpdateTime"]!) < TimeSpan.FromMinutes(1));
        Assert.Equal("pending", (string?)properties["$metadata"]!["telemetrySendFrequency"]!["state"]);
        device.Release();
    }

    [Theory]
    [InlineData("mqtt", 200, "accepted")]
    [InlineData("mqttws", 400, "failed")]
    public async Task A_desired_update_reaches_the_device_and_its_acknowledgement_settles_the_property(string transport, int ackCode, string state)
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var deviceId = $"writable-1-{transport}";
        var key = await http.CreateDeviceAsync(deviceId);
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport,
            action = "device",
            twin = true,
            desired = true,
            ack = new { code = ackCode, description = ackCode == 200 ? "applied" : "out of range" },
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        await server.WaitForSubscriptionAsync(deviceId, DesiredFilter);

        var written = await http.PatchAsync($"api/devices/{deviceId}/properties?{DeviceApi.Version}", CentrumServer.Json("""{"targetTemperature":21.5}"""));
        Assert.Equal(HttpStatusCode.Accepted, written.StatusCode);
        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "desired" && (double?)e["delta"]?["targetTemperature"] == 21.5)),
            TimeSpan.FromSeconds(30), "the device receives the desired patch");
        var delta = device.Events.Last(e => (string?)e["event"] == "desired")["delta"]!;
        Assert.Equal(2, (int)delta["$version"]!);

        await Wait.UntilAsync(async () => (string?)(await http.GetJsonAsync($"api/devices/{deviceId}/properties"))["$metadata"]!["targetTemperature"]!["state"] == state,
            TimeSpan.FromSeconds(30), $"the property is {state}");
        var properties = await http.GetJsonAsync($"api/devices/{deviceId}/properties");
        var metadata = properties["$metadata"]!["targetTemperature"]!;
        Assert.Equal(21.5, (double)properties["targetTemperature"]!);
        Assert.Equal((ackCode, 2, 2, 21.5), ((int)metadata["ackCode"]!, (int)metadata["ackVersion"]!, (int)metadata["desiredVersion"]!, (double)metadata["desiredValue"]!));
        device.Release();
    }

    [Fact]
    public async Task Oversized_and_too_deep_reported_patches_are_refused_and_the_connection_stays_usable()
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("limits-1");
        JsonNode deep = new JsonObject { ["leaf"] = 1 };
        for (var i = 0; i < 11; i++)
        {
            deep = new JsonObject { [$"level{i}"] = deep };
        }

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "limits-1", key),
            transport = "mqtt",
            action = "device",
            twin = true,
            reports = new object[]
            {
                new { big = new string('x', 3000), big2 = new string('x', 3000), big3 = new string('x', 3000), big4 = new string('x', 3000), big5 = new string('x', 3000),
                      big6 = new string('x', 3000), big7 = new string('x', 3000), big8 = new string('x', 3000), big9 = new string('x', 3000), big10 = new string('x', 3000),
                      big11 = new string('x', 3000) },
                deep,
                new { ok = true },
            },
            getTwinAgain = true,
        });

        var outcomes = events.Where(e => (string?)e["event"] is "reported" or "report-error").ToList();
        Assert.Equal(["report-error", "report-error", "reported"], outcomes.Select(e => (string)e["event"]!));
        Assert.Contains("limit is 32768", (string?)outcomes[0]["message"]);
        Assert.Contains("deeper than 10", (string?)outcomes[1]["message"]);
        var again = events.Single(e => (string?)e["event"] == "twin-again");
        Assert.Equal(2, (int)again["reported"]!["$version"]!);
        Assert.Null(again["reported"]!["big"]);
    }

    [Fact]
    public async Task Concurrent_desired_updates_get_strictly_increasing_versions_and_the_device_sees_the_final_state()
    {
        var server = await shared.GetAsync(Store);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("busy-1");
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "busy-1", key),
            transport = "mqtt",
            action = "device",
            twin = true,
            desired = true,
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        await server.WaitForSubscriptionAsync("busy-1", DesiredFilter);

        var writes = Enumerable.Range(0, 100).Select(i =>
            http.PatchAsync($"api/devices/busy-1/properties?{DeviceApi.Version}", CentrumServer.Json($$"""{"p{{i}}":{{i}},"last":{{i}}}""")));
        var responses = await Task.WhenAll(writes);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "desired" && (int?)e["delta"]?["$version"] == 101)),
            TimeSpan.FromSeconds(30), "the device receives version 101");
        // The SDK first hands its listener the desired document it read (version 1); the patches follow.
        var deltas = device.Events.Where(e => (string?)e["event"] == "desired").Select(e => e["delta"]!.AsObject()).Where(d => (int)d["$version"]! > 1).ToList();
        var versions = deltas.Select(d => (int)d["$version"]!).ToList();
        Assert.Equal(Enumerable.Range(2, 100), versions);

        // Applying the patches in the order received gives the state REST reports.
        var state = new Dictionary<string, int>();
        foreach (var delta in deltas)
        {
            foreach (var (name, value) in delta.Where(p => p.Key != "$version"))
            {
                state[name] = (int)value!;
            }
        }

        var properties = await http.GetJsonAsync("api/devices/busy-1/properties");
        var metadata = properties["$metadata"]!.AsObject();
        Assert.Equal(101, metadata.Count);
        foreach (var (name, value) in state)
        {
            Assert.Equal(value, (int)metadata[name]!["desiredValue"]!);
        }

        Assert.Equal(101, metadata.Max(p => (int)p.Value!["desiredVersion"]!));
        device.Release();
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class TwinTestsOnPostgreSql(SharedServer shared) : TwinTests(MetadataStore.PostgreSql, shared);
