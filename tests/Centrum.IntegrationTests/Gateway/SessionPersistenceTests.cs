using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// CleanSession=0 sessions keep their subscriptions across reconnects and restarts: the SDKs never subscribe again
/// (device-protocol reference §3.7).
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

    private static async Task<bool> ReconnectAsync(CentrumServer server, string key, bool cleanSession)
    {
        using var client = MqttDevice.CreateClient();
        var result = await client.ConnectAsync(MqttDevice.Options(server, "session-1", key, cleanSession));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.DisconnectAsync();
        return result.IsSessionPresent;
    }
}
