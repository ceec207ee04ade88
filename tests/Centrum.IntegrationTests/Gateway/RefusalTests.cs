using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Every refusal happens while a well-behaved SDK device streams QoS 1 telemetry on the same server: bad input costs
/// the offender its connection and nobody else anything.
/// </summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task Bad_devices_are_refused_while_a_good_device_keeps_sending()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var goodKey = await http.CreateDeviceAsync("good-1");
        var victimKey = await http.CreateDeviceAsync("victim-1");
        var disabledKey = await http.CreateDeviceAsync("disabled-1", """{"enabled":false}""");
        var mallory = await http.CreateDeviceAsync("mallory-1");

        await using var good = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "good-1", goodKey),
            transport = "mqtt",
            action = "stream",
            prefix = "good",
            count = 120,
            intervalMs = 40,
        });
        await good.WaitForEventAsync("open", TimeSpan.FromSeconds(30));

        await SdkOpenIsRefused(server, "victim-1", SymmetricKeys.Generate(), "wrong key");
        await SdkOpenIsRefused(server, "nobody-1", SymmetricKeys.Generate(), "unknown device");
        await SdkOpenIsRefused(server, "disabled-1", disabledKey, "disabled device");
        await ExpiredTokenIsRefused(server, victimKey);
        await GarbageInsteadOfConnectIsDropped(server);
        await ForeignSubscriptionIsRefusedAndConnectionStaysUsable(server, mallory);
        await ForeignPublishClosesTheConnection(server, mallory);
        await OversizeMessageClosesTheConnection(server, mallory);
        await DisablingAConnectedDeviceDisconnectsIt(server, http, victimKey);

        await good.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var events = good.Events;
        Assert.Equal(120, events.Count(e => (string?)e["event"] == "acked"));
        Assert.DoesNotContain(events, e => (string?)e["event"] is "send-error" or "disconnect" or "error");
    }

    [Fact]
    public async Task Connections_beyond_the_rate_are_answered_server_unavailable()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Gateway:ConnectionsPerSecond"] = "2" });
        var key = await server.AdminHttp().CreateDeviceAsync("eager-1");
        var codes = new List<MqttClientConnectResultCode>();
        for (var i = 0; i < 6; i++)
        {
            using var client = MqttDevice.CreateClient();
            codes.Add((await client.ConnectAsync(MqttDevice.Options(server, "eager-1", key, cleanSession: true))).ResultCode);
        }

        Assert.Contains(MqttClientConnectResultCode.ServerUnavailable, codes);
        Assert.Contains(MqttClientConnectResultCode.Success, codes);
        await Wait.UntilAsync(async () =>
        {
            using var client = MqttDevice.CreateClient();
            return (await client.ConnectAsync(MqttDevice.Options(server, "eager-1", key, cleanSession: true))).ResultCode == MqttClientConnectResultCode.Success;
        }, TimeSpan.FromSeconds(10), "the rate allows a connection again");
    }

    private static async Task SdkOpenIsRefused(CentrumServer server, string deviceId, string key, string because)
    {
        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, deviceId, key),
            transport = "mqtt",
            action = "telemetry",
            messages = Array.Empty<object>(),
        });
        var refusal = Assert.Single(events, e => (string?)e["event"] is "open" or "open-error");
        Assert.True((string?)refusal["event"] == "open-error", $"{because}: the SDK opened a connection");
        Assert.Contains("Not authorized", (string?)refusal["message"], StringComparison.OrdinalIgnoreCase);
    }

    private static async Task ExpiredTokenIsRefused(CentrumServer server, string key)
    {
        using var client = MqttDevice.CreateClient();
        var result = await client.ConnectAsync(MqttDevice.Options(server, "victim-1", key, expiry: DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        Assert.False(client.IsConnected);
    }

    private static async Task GarbageInsteadOfConnectIsDropped(CentrumServer server)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address, 8883);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = server.Address.ToString() });
        await tls.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\xfe garbage"u8.ToArray());
        await tls.FlushAsync();
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await tls.ReadAsync(buffer, timeout.Token);
        Assert.Equal(0, read);
    }

    private static async Task ForeignSubscriptionIsRefusedAndConnectionStaysUsable(CentrumServer server, string key)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "mallory-1", key, cleanSession: true));
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("devices/victim-1/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("devices/mallory-1/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("#", MqttQualityOfServiceLevel.AtMostOnce)
            .Build());
        Assert.Equal(
            [MqttClientSubscribeResultCode.UnspecifiedError, MqttClientSubscribeResultCode.GrantedQoS1, MqttClientSubscribeResultCode.UnspecifiedError],
            result.Items.Select(i => i.ResultCode));

        var publish = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("devices/mallory-1/messages/events/")
            .WithPayload("""{"ok":1}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(publish.IsSuccess);
        Assert.True(client.IsConnected);
    }

    private static async Task ForeignPublishClosesTheConnection(CentrumServer server, string key)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "mallory-1", key, cleanSession: true));
        _ = client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/victim-1/messages/events/").WithPayload("{}").Build());
        await MqttDevice.WaitForDisconnectAsync(client, TimeSpan.FromSeconds(10));
        var victim = await server.AdminHttp().GetAsync($"api/devices/victim-1/telemetry/ok?{DeviceApi.Version}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, victim.StatusCode);
    }

    private static async Task OversizeMessageClosesTheConnection(CentrumServer server, string key)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "mallory-1", key, cleanSession: true));

        // Exactly at the limit is accepted.
        var fits = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("devices/mallory-1/messages/events/")
            .WithPayload(new byte[256 * 1024])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(fits.IsSuccess);

        _ = client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("devices/mallory-1/messages/events/")
            .WithPayload(new byte[256 * 1024 + 1])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await MqttDevice.WaitForDisconnectAsync(client, TimeSpan.FromSeconds(10));
    }

    private static async Task DisablingAConnectedDeviceDisconnectsIt(CentrumServer server, HttpClient http, string key)
    {
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "victim-1", key),
            transport = "mqtt",
            action = "hold",
            sendAfterHold = true,
        });
        await device.WaitForEventAsync("open", TimeSpan.FromSeconds(30));
        Assert.True((bool)(await http.GetJsonAsync("api/devices/victim-1"))["connected"]!);

        var patch = await http.PatchAsync($"api/devices/victim-1?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":false}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, patch.StatusCode);
        await Wait.UntilAsync(async () => !(bool)(await http.GetJsonAsync("api/devices/victim-1"))["connected"]!, TimeSpan.FromSeconds(10), "the device is disconnected");
        // The SDK's next send reconnects, and the disabled device is refused.
        device.Release();
        await device.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var failure = Assert.Single(device.Events, e => (string?)e["event"] is "sent" or "send-error");
        Assert.Equal("send-error", (string?)failure["event"]);
        Assert.Contains("Not authorized", (string?)failure["message"], StringComparison.OrdinalIgnoreCase);
    }
}
