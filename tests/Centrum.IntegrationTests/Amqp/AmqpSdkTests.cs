namespace Centrum.IntegrationTests.Amqp;

/// <summary>
/// The Azure IoT Node.js SDK over AMQP (azure-iot-device-amqp, TLS on 5671, SAS through $cbs put-token), given only
/// a connection string and the CA: its telemetry is stored and read back through REST, with MQTT's refusals.
/// </summary>
public sealed class AmqpSdkTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Fact]
    public async Task Sdk_device_sends_telemetry_over_AMQP_that_REST_reads_back()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("amqp-thermo-1", """{"displayName":"Thermometer"}""");

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "amqp-thermo-1", key),
            transport = "amqp",
            action = "telemetry",
            messages = new object[]
            {
                new { body = new { temperature = 21.5, humidity = 40 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "a-1", properties = new Dictionary<string, string> { ["site"] = "north wing/2" } },
                new { body = new { temperature = 22.25 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "a-2" },
            },
        });

        Assert.True(events.Count(e => (string?)e["event"] == "sent") == 2, string.Join(' ', events.Select(e => e.ToJsonString())));
        var series = await http.GetJsonAsync("api/devices/amqp-thermo-1/telemetry/temperature/series");
        Assert.Equal([21.5, 22.25], series["value"]!.AsArray().Select(p => (double)p!["value"]!));
        var humidity = await http.GetJsonAsync("api/devices/amqp-thermo-1/telemetry/humidity");
        Assert.Equal(40, (int)humidity["value"]!);
        var device = await http.GetJsonAsync("api/devices/amqp-thermo-1");
        Assert.NotNull(device["lastConnectTime"]);
    }

    [Fact]
    public async Task Sdk_device_with_a_wrong_key_is_refused_at_open()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("amqp-wrong-1");

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "amqp-wrong-1", Convert.ToBase64String(new byte[32])),
            transport = "amqp",
            action = "telemetry",
            messages = new object[] { new { body = new { temperature = 1 } } },
        });

        var error = Assert.Single(events, e => (string?)e["event"] == "open-error");
        Assert.Equal("UnauthorizedError", (string?)error["name"]);
        Assert.DoesNotContain(events, e => (string?)e["event"] == "sent");
        var device = await http.GetJsonAsync("api/devices/amqp-wrong-1");
        Assert.Null(device["lastConnectTime"]);
    }

    [Fact]
    public async Task Sdk_message_over_256_KB_is_rejected_and_not_stored()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("amqp-big-1");

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "amqp-big-1", key),
            transport = "amqp",
            action = "telemetry",
            messages = new object[] { new { padding = 300 * 1024, messageId = "big" } },
        });

        Assert.Contains(events, e => (string?)e["event"] == "open");
        Assert.DoesNotContain(events, e => (string?)e["event"] == "sent");
        Assert.Contains(events, e => (string?)e["event"] == "fatal" || (string?)e["event"] == "send-error");
        var series = await http.GetJsonAsync("api/devices/amqp-big-1/telemetry/padding/series");
        Assert.Empty(series["value"]!.AsArray());
    }
}
