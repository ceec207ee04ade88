using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// CleanSession=0 sessions keep their subscriptions across reconnects and restarts: the SDKs never subscribe again
/// (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": CleanSession 0 keeps the subscriptions).
/// </summary>
public sealed class SessionPersistenceTests
{
    [Fact]
    public async Task A_persistent_session_survives_reconnects_and_restarts_and_a_clean_one_is_discarded()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await server.AdminHttp().CreateDeviceAsync("session-1");

        using (var first = MqttDevice.CreateClient())
        {
            var connected = await first.ConnectAsync(MqttDevice.Options(server, "session-1", key));
            Assert.False(connected.IsSessionPresent);
            await first.SubscribeAsync("devices/session-1/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce);
            await first.DisconnectAsync();
        }

        Assert.True(await ReconnectAsync(server, key, cleanSession: false));
        await server.KillAsync();
        await server.StartAsync();
        Assert.True(await ReconnectAsync(server, key, cleanSession: false));
        await server.RestartAsync();
        Assert.True(await ReconnectAsync(server, key, cleanSession: false));

        Assert.False(await ReconnectAsync(server, key, cleanSession: true));
        Assert.False(await ReconnectAsync(server, key, cleanSession: false));
    }

    [Fact]
    public async Task A_second_connection_with_the_same_device_id_closes_the_first()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await server.AdminHttp().CreateDeviceAsync("twice-1");
        using var first = MqttDevice.CreateClient();
        using var second = MqttDevice.CreateClient();
        await first.ConnectAsync(MqttDevice.Options(server, "twice-1", key));
        await second.ConnectAsync(MqttDevice.Options(server, "twice-1", key));
        await MqttDevice.WaitForDisconnectAsync(first, TimeSpan.FromSeconds(10));
        Assert.True(await second.TryPingAsync());
        Assert.True((bool)(await server.AdminHttp().GetJsonAsync("api/devices/twice-1"))["connected"]!);
    }

    /// <summary>
    /// The SDK renews its SAS token by reconnecting (here every few seconds) and never subscribes again; the server is
    /// also restarted under it. Twin patches, commands and cloud-to-device messages still reach it each time.
    /// </summary>
    [Theory]
    [InlineData("mqtt")]
    [InlineData("mqttws")]
    public async Task An_SDK_device_keeps_receiving_after_token_renewals_and_a_server_restart(string transport)
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("steady-1");
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "steady-1", key),
            transport,
            action = "device",
            twin = true,
            desired = true,
            c2d = true,
            methods = new Dictionary<string, object> { ["ping"] = new { status = 200, payload = "pong" } },
            tokenRenewal = new { tokenValidTimeInSeconds = 16, tokenRenewalMarginInSeconds = 8 },
        });
        await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        foreach (var filter in new[] { "$iothub/methods/POST/#", "$iothub/twin/PATCH/properties/desired/#", "devices/steady-1/messages/devicebound/#" })
        {
            await server.WaitForSubscriptionAsync("steady-1", filter);
        }

        await ExpectDeliveriesAsync(http, device, round: 1);

        // Token renewals reconnect the SDK every ~8 s: wait for one, then check again.
        var connects = await ConnectCountAsync(http);
        await Wait.UntilAsync(async () => await ConnectCountAsync(http) != connects, TimeSpan.FromSeconds(30), "the SDK renews its token");
        await ExpectDeliveriesAsync(http, device, round: 2);

        await server.RestartAsync();
        http = server.AdminHttp();
        await Wait.UntilAsync(async () => (bool)(await http.GetJsonAsync("api/devices/steady-1"))["connected"]!, TimeSpan.FromSeconds(60), "the SDK reconnects after the restart");
        await ExpectDeliveriesAsync(http, device, round: 3);
        device.Release();
    }

    private static async Task<string?> ConnectCountAsync(HttpClient http) => (string?)(await http.GetJsonAsync("api/devices/steady-1"))["lastConnectTime"];

    private static async Task ExpectDeliveriesAsync(HttpClient http, NodeDevice device, int round)
    {
        // Desired-property patches are not queued for a device that is between connections (IoT Hub's rule too), so
        // send each round just after a (re)connection, well before the next token renewal.
        await Wait.UntilAsync(async () =>
        {
            var state = await http.GetJsonAsync("api/devices/steady-1");
            return (bool)state["connected"]! && DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)state["lastConnectTime"]!) < TimeSpan.FromSeconds(3);
        }, TimeSpan.FromSeconds(30), "the device has just connected");

        var command = await http.PostAsync($"api/devices/steady-1/commands/ping?{DeviceApi.Version}", CentrumServer.Json($$"""{"connectionTimeout":30,"request":{{round}}}"""));
        Assert.True(command.IsSuccessStatusCode, $"round {round}: {await command.Content.ReadAsStringAsync()}");
        Assert.Equal("pong", (string?)System.Text.Json.Nodes.JsonNode.Parse(await command.Content.ReadAsStringAsync())!["response"]);

        var written = await http.PatchAsync($"api/devices/steady-1/properties?{DeviceApi.Version}", CentrumServer.Json($$"""{"round":{{round}}}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, written.StatusCode);
        await CloudToDeviceTests.SendAsync(http, "steady-1", $$"""{"body":{"round":{{round}}},"messageId":"round-{{round}}"}""");

        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "desired" && (int?)e["delta"]?["round"] == round)),
            TimeSpan.FromSeconds(30), $"the desired patch of round {round} arrives");
        await Wait.UntilAsync(() => Task.FromResult(device.Events.Any(e => (string?)e["event"] == "c2d" && (string?)e["id"] == $"round-{round}")),
            TimeSpan.FromSeconds(30), $"the message of round {round} arrives");
    }

    private static async Task<bool> ReconnectAsync(CentrumServer server, string key, bool cleanSession)
    {
        using var client = MqttDevice.CreateClient();
        var result = await client.ConnectAsync(MqttDevice.Options(server, "session-1", key, cleanSession));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.DisconnectAsync();
        return result.IsSessionPresent;
    }
}
