using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>The Azure IoT Node.js SDK, given only a connection string and the CA, sends telemetry that REST reads back.</summary>
public sealed class SdkTelemetryTests
{
    [Theory]
    [InlineData("mqtt")]
    [InlineData("mqttws")]
    public async Task Sdk_device_sends_telemetry_that_REST_reads_back(string transport)
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("thermo-1", """{"displayName":"Thermometer"}""");

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "thermo-1", key),
            transport,
            action = "telemetry",
            messages = new object[]
            {
                new { body = new { temperature = 21.5, humidity = 40 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "m-1", properties = new Dictionary<string, string> { ["alert"] = "false", ["site"] = "north wing/2" } },
                new { body = new { temperature = 22.25 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "m-2" },
            },
        });

        Assert.Equal(2, events.Count(e => (string?)e["event"] == "sent"));
        var latest = await http.GetJsonAsync("api/devices/thermo-1/telemetry/temperature");
        Assert.Equal(22.25, (double)latest["value"]!);
        Assert.True(DateTimeOffset.Parse((string)latest["timestamp"]!) > DateTimeOffset.UtcNow.AddMinutes(-1));
        var humidity = await http.GetJsonAsync("api/devices/thermo-1/telemetry/humidity");
        Assert.Equal(40, (int)humidity["value"]!);

        var series = await http.GetJsonAsync("api/devices/thermo-1/telemetry/temperature/series");
        var points = series["value"]!.AsArray().Select(p => (double)p!["value"]!).ToList();
        Assert.Equal([21.5, 22.25], points);

        var device = await http.GetJsonAsync("api/devices/thermo-1");
        Assert.NotNull(device["lastConnectTime"]);
        Assert.NotNull(device["lastDisconnectTime"]);
    }

    [Fact]
    public async Task Message_properties_and_system_properties_are_stored_with_the_body()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("props-1");

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "props-1", key),
            transport = "mqtt",
            action = "telemetry",
            messages = new object[]
            {
                new { body = new { level = 3 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "p-1", correlationId = "c-9", properties = new Dictionary<string, string> { ["severity"] = "high & urgent", ["unit"] = "m/s" } },
            },
        });
        Assert.Contains(events, e => (string?)e["event"] == "sent");
        await server.StopAsync();

        // Read the message straight from the application's DuckDB file, as an export or query would see it; the file
        // is the server's again once this connection closes.
        using (var duck = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT message_id, correlation_id, content_type, content_encoding, properties, body FROM messages WHERE device_id = 'props-1'";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal("p-1", reader.GetString(0));
            Assert.Equal("c-9", reader.GetString(1));
            Assert.Equal("application/json", reader.GetString(2));
            Assert.Equal("utf-8", reader.GetString(3));
            var properties = JsonNode.Parse(reader.GetString(4))!.AsObject();
            Assert.Equal("high & urgent", (string?)properties["severity"]);
            Assert.Equal("m/s", (string?)properties["unit"]);
            using var body = reader.GetStream(5);
            Assert.Equal(3, (int)JsonNode.Parse(body)!["level"]!);
            Assert.False(reader.Read());
        }

        await server.StartAsync();
    }
}
