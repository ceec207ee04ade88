using Centrum.Security;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>What waits for one device is bounded by bytes as well as by count, with the overflow rule of its kind.</summary>
public sealed class OutboundQueueTests
{
    [Fact]
    public async Task A_device_that_does_not_read_its_desired_patches_is_closed_when_they_exceed_its_byte_bound()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Gateway:OutboundQueueBytes"] = "65536" });
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("deaf-1");
        var token = SharedAccessSignature.Create($"{server.HubHostName}/devices/deaf-1", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await using var deaf = await RawMqttClient.ConnectAsync(server, receiveBufferBytes: 4096);
        Assert.Equal(0, await deaf.ConnectAsync("deaf-1", $"{server.HubHostName}/deaf-1/?api-version=2021-04-12", token, 0));
        await deaf.SubscribeAsync("$iothub/twin/PATCH/properties/desired/#");

        // From here the device reads nothing. Each 16 KB patch is accepted by REST at once (patches never wait for a
        // device); the socket's buffers fill, then 64 KB of queued patches close the connection.
        var patches = 0;
        while (!server.Log.Contains("outbound queue full", StringComparison.Ordinal))
        {
            Assert.True(patches < 2000, "2,000 unread patches did not close the connection");
            // Four strings just under IoT Hub's 4 KB limit per twin string: a 16 KB patch, a document under 32 KB.
            var value = new string((char)('a' + patches % 26), 3900);
            var written = await http.PatchAsync($"api/devices/deaf-1/properties?{DeviceApi.Version}",
                CentrumServer.Json($$"""{"n1":"{{value}}","n2":"{{value}}","n3":"{{value}}","n4":"{{value}}"}"""));
            Assert.True(written.IsSuccessStatusCode, $"patch {patches}: {(int)written.StatusCode}");
            patches++;
        }

        // The process serves others meanwhile.
        var otherKey = await http.CreateDeviceAsync("reader-1");
        using var other = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await other.ConnectAsync(MqttDevice.Options(server, "reader-1", otherKey, cleanSession: true))).ResultCode);
        var sent = await other.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/reader-1/messages/events/").WithPayload("{\"t\":3}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(sent.IsSuccess);
    }
}
