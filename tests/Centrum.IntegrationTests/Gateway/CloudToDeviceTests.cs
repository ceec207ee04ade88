using System.Net;
using System.Text.Json.Nodes;
using MQTTnet;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Cloud-to-device messages and offline commands: queued durably, delivered on connect, once acknowledged, never after
/// expiry. The cases on the default settings share one server, each with its own device.
/// </summary>
public sealed class CloudToDeviceTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Theory]
    [InlineData("mqtt")]
    [InlineData("mqttws")]
    public async Task Messages_sent_while_offline_arrive_after_connecting_once_and_expired_ones_never(string transport)
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Commands:MinMessageTtl"] = "00:00:01" });
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("c2d-1");

        var expiring = await SendAsync(http, "c2d-1", """{"body":{"setpoint":20},"messageId":"expiring","ttl":"PT2S"}""");
        await SendAsync(http, "c2d-1", """{"body":{"setpoint":21},"messageId":"m-1","properties":{"priority":"high & urgent","path":"a/b+c"}}""");
        await SendAsync(http, "c2d-1", """{"body":"plain text","messageId":"m-2"}""");
        var command = await http.PostAsync($"api/devices/c2d-1/commands/reboot?{DeviceApi.Version}&queueIfOffline=true", CentrumServer.Json("""{"request":{"delay":5}}"""));
        Assert.Equal(HttpStatusCode.Created, command.StatusCode);
        // Let the first message expire while the device is offline: it must never be delivered.
        var expiry = DateTimeOffset.Parse((string)expiring["expiryTime"]!);
        await Wait.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > expiry), TimeSpan.FromSeconds(10), "the first message expires");

        await using (var device = NodeDevice.Start(server, new { connectionString = NodeDevice.ConnectionString(server, "c2d-1", key), transport, action = "device", c2d = true }))
        {
            await Wait.UntilAsync(() => Task.FromResult(device.Events.Count(e => (string?)e["event"] == "c2d") >= 3), TimeSpan.FromSeconds(30), "three messages arrive");
            var received = device.Events.Where(e => (string?)e["event"] == "c2d").ToList();
            Assert.Equal(["m-1", "m-2", (string?)JsonNode.Parse(await command.Content.ReadAsStringAsync())!["id"]], received.Select(e => (string?)e["id"]));
            Assert.Equal(21, (int)JsonNode.Parse((string)received[0]["body"]!)!["setpoint"]!);
            Assert.Equal("high & urgent", (string?)received[0]["properties"]!["priority"]);
            Assert.Equal("a/b+c", (string?)received[0]["properties"]!["path"]);
            Assert.Equal("plain text", (string?)received[1]["body"]);
            Assert.Equal("reboot", (string?)received[2]["properties"]!["method-name"]);
            Assert.Equal(5, (int)JsonNode.Parse((string)received[2]["body"]!)!["delay"]!);
            await Wait.UntilAsync(async () => await QueuedAsync(server) == 0, TimeSpan.FromSeconds(10), "the acknowledged messages leave the queue");
            device.Release();
            await device.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // Connecting again delivers nothing: every message was acknowledged.
        await using (var again = NodeDevice.Start(server, new { connectionString = NodeDevice.ConnectionString(server, "c2d-1", key), transport, action = "device", c2d = true }))
        {
            await again.WaitForEventAsync("ready", TimeSpan.FromSeconds(30));
            await server.WaitForSubscriptionAsync("c2d-1", "devices/c2d-1/messages/devicebound/#");
            await SendAsync(http, "c2d-1", """{"body":{"marker":true},"messageId":"marker"}""");
            await Wait.UntilAsync(() => Task.FromResult(again.Events.Any(e => (string?)e["event"] == "c2d")), TimeSpan.FromSeconds(30), "the marker arrives");
            Assert.Equal(["marker"], again.Events.Where(e => (string?)e["event"] == "c2d").Select(e => (string?)e["id"]));
            again.Release();
        }
    }

    /// <summary>A device that drops the connection before its PUBACK gets the message again, marked DUP, until it acknowledges.</summary>
    [Fact]
    public async Task An_unacknowledged_message_is_delivered_again_after_a_reconnect()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("forgetful-1");
        await SendAsync(http, "forgetful-1", """{"body":{"n":1},"messageId":"once-more"}""");

        async Task<(string Topic, bool Duplicate)?> ReceiveAsync(bool acknowledge)
        {
            using var client = MqttDevice.CreateClient();
            var received = new TaskCompletionSource<(string, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.ApplicationMessageReceivedAsync += e =>
            {
                e.AutoAcknowledge = acknowledge;
                received.TrySetResult((e.ApplicationMessage.Topic, e.ApplicationMessage.Dup));
                return Task.CompletedTask;
            };
            await client.ConnectAsync(MqttDevice.Options(server, "forgetful-1", key));
            await client.SubscribeAsync("devices/forgetful-1/messages/devicebound/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            var outcome = await Task.WhenAny(received.Task, Task.Delay(TimeSpan.FromSeconds(acknowledge ? 10 : 30)));
            if (acknowledge && outcome == received.Task)
            {
                await Wait.UntilAsync(async () => await CountAsync(server) == 0, TimeSpan.FromSeconds(10), "the acknowledged message leaves the queue");
            }

            await client.DisconnectAsync();
            return outcome == received.Task ? await received.Task : null;
        }

        var first = await ReceiveAsync(acknowledge: false);
        Assert.NotNull(first);
        Assert.Contains("%24.mid=once-more", first.Value.Topic, StringComparison.Ordinal);
        Assert.False(first.Value.Duplicate);
        Assert.Equal(1, await CountAsync(server));

        var second = await ReceiveAsync(acknowledge: true);
        Assert.NotNull(second);
        Assert.True(second.Value.Duplicate);
        Assert.Null(await ReceiveAsync(acknowledge: true));
    }

    private static Task<long> CountAsync(CentrumServer server) => QueuedAsync(server);

    [Fact]
    public async Task The_queue_holds_at_most_fifty_messages_per_device()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("full-1");
        for (var i = 0; i < 50; i++)
        {
            await SendAsync(http, "full-1", $$"""{"body":{{i}}}""");
        }

        var refused = await http.PostAsync($"api/devices/full-1/messages?{DeviceApi.Version}", CentrumServer.Json("""{"body":50}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(refused, HttpStatusCode.Forbidden, "DeviceMaximumQueueDepthExceeded");
        var tooShort = await http.PostAsync($"api/devices/full-1/messages?{DeviceApi.Version}", CentrumServer.Json("""{"body":1,"ttl":"PT1S"}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(tooShort, HttpStatusCode.BadRequest, "BadRequest");
    }

    internal static async Task<JsonNode> SendAsync(HttpClient http, string deviceId, string body)
    {
        var response = await http.PostAsync($"api/devices/{deviceId}/messages?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private static Task<long> QueuedAsync(CentrumServer server)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "centrum.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM c2d_messages";
        return Task.FromResult((long)command.ExecuteScalar()!);
    }
}
