using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using MQTTnet;

namespace Centrum.IntegrationTests.Amqp;

/// <summary>
/// IoT Hub's AMQP dialect as a hand-driven Microsoft.Azure.Amqp client speaks it: many devices on one connection, each
/// authorised by its own put-token; links only for addresses a token covers; one session per device across AMQP and
/// MQTT; a token that lapses detaches the device's links, one refreshed in time keeps them.
/// </summary>
public sealed class AmqpSessionTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Fact]
    public async Task Devices_multiplexed_on_one_connection_each_send_with_their_own_token_and_a_refused_token_harms_none()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var keys = new Dictionary<string, string>();
        foreach (var id in new[] { "mux-1", "mux-2", "mux-3" })
        {
            keys[id] = await http.CreateDeviceAsync(id);
        }

        await using var client = await AmqpTestClient.ConnectAsync(server);
        await client.PutTokenAsync("mux-1", AmqpTestClient.Token(server, "mux-1", keys["mux-1"]));
        await client.PutTokenAsync("mux-2", AmqpTestClient.Token(server, "mux-2", keys["mux-2"]));

        // mux-3 signs with mux-1's key: the put-token is answered 401, and the library's CBS client raises it.
        var denied = await Assert.ThrowsAsync<AmqpException>(() => client.PutTokenAsync("mux-3", AmqpTestClient.Token(server, "mux-3", keys["mux-1"])));
        Assert.Contains("status-code: 401", denied.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<AmqpException>(() => client.OpenTelemetryAsync("/devices/mux-3/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, refused.Error.Condition);

        var first = await client.OpenTelemetryAsync($"amqps://{server.HubHostName}/devices/mux-1/messages/events");
        var second = await client.OpenTelemetryAsync("/devices/mux-2/messages/events");
        Assert.IsType<Accepted>(await AmqpTestClient.SendAsync(first, """{"temperature":1.5}"""));
        Assert.IsType<Accepted>(await AmqpTestClient.SendAsync(second, """{"temperature":2.5}"""));
        Assert.False(client.Connection.IsClosing());

        Assert.Equal(1.5, (double)(await http.GetJsonAsync("api/devices/mux-1/telemetry/temperature"))["value"]!);
        Assert.Equal(2.5, (double)(await http.GetJsonAsync("api/devices/mux-2/telemetry/temperature"))["value"]!);
        await Wait.UntilAsync(async () => (bool?)(await http.GetJsonAsync("api/devices/mux-2"))["connected"] != false, TimeSpan.FromSeconds(10), "mux-2 is connected");
    }

    [Fact]
    public async Task A_link_to_another_devices_address_is_refused_unauthorized()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("own-1");
        await http.CreateDeviceAsync("other-1");

        await using var client = await AmqpTestClient.ConnectAsync(server);
        await client.PutTokenAsync("own-1", AmqpTestClient.Token(server, "own-1", key));
        var refused = await Assert.ThrowsAsync<AmqpException>(() => client.OpenTelemetryAsync("/devices/other-1/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, refused.Error.Condition);

        // A node IoT Hub does not have is not found; the device's own link still opens and sends.
        var unknown = await Assert.ThrowsAsync<AmqpException>(() => client.OpenTelemetryAsync("/devices/own-1/elsewhere"));
        Assert.Equal(AmqpErrorCode.NotFound, unknown.Error.Condition);
        var link = await client.OpenTelemetryAsync("/devices/own-1/messages/events");
        Assert.IsType<Accepted>(await AmqpTestClient.SendAsync(link, """{"temperature":3}"""));
    }

    [Fact]
    public async Task A_device_on_MQTT_is_replaced_when_it_connects_over_AMQP_and_the_other_way_round()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("switch-1");

        using var mqtt = MqttDevice.CreateClient();
        await mqtt.ConnectAsync(MqttDevice.Options(server, "switch-1", key, cleanSession: true));

        var amqp = await AmqpTestClient.ConnectAsync(server);
        await amqp.PutTokenAsync("switch-1", AmqpTestClient.Token(server, "switch-1", key));
        await MqttDevice.WaitForDisconnectAsync(mqtt, TimeSpan.FromSeconds(15));
        var link = await amqp.OpenTelemetryAsync("/devices/switch-1/messages/events");
        Assert.IsType<Accepted>(await AmqpTestClient.SendAsync(link, """{"temperature":4}"""));

        // Back to MQTT: the AMQP connection, which carried only this device, is closed.
        using var again = MqttDevice.CreateClient();
        await again.ConnectAsync(MqttDevice.Options(server, "switch-1", key, cleanSession: true));
        await Wait.UntilAsync(() => Task.FromResult(amqp.Connection.IsClosing()), TimeSpan.FromSeconds(15), "the AMQP connection is closed");
        await amqp.DisposeAsync();
        await again.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/switch-1/messages/events/").WithPayload("""{"temperature":5}""").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(5, (double)(await http.GetJsonAsync("api/devices/switch-1/telemetry/temperature"))["value"]!);
        await again.DisconnectAsync();
    }

    [Fact]
    public async Task A_token_that_lapses_detaches_the_devices_links_and_one_refreshed_in_time_keeps_them()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var lapsingKey = await http.CreateDeviceAsync("lapse-1");
        var refreshedKey = await http.CreateDeviceAsync("refresh-1");

        await using var client = await AmqpTestClient.ConnectAsync(server);
        var shortExpiry = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(3).ToUnixTimeSeconds());
        await client.PutTokenAsync("lapse-1", AmqpTestClient.Token(server, "lapse-1", lapsingKey, shortExpiry));
        await client.PutTokenAsync("refresh-1", AmqpTestClient.Token(server, "refresh-1", refreshedKey, shortExpiry));
        var lapsing = await client.OpenTelemetryAsync("/devices/lapse-1/messages/events");
        var refreshed = await client.OpenTelemetryAsync("/devices/refresh-1/messages/events");
        await client.PutTokenAsync("refresh-1", AmqpTestClient.Token(server, "refresh-1", refreshedKey));

        var detached = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lapsing.Closed += (_, _) => detached.TrySetResult(lapsing.TerminalException is AmqpException ex ? ex.Error : null);
        var error = await detached.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, error?.Condition);

        // The refreshed device's deadline passed too, so its link's survival is a result, not a race.
        Assert.True(DateTimeOffset.UtcNow > shortExpiry);
        Assert.IsType<Accepted>(await AmqpTestClient.SendAsync(refreshed, """{"temperature":6}"""));
        Assert.False(client.Connection.IsClosing());
    }
}
