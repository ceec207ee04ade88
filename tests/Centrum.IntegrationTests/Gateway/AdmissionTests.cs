using System.Diagnostics;
using System.Net;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Admission: unauthenticated connections cannot starve real devices, and the connection cap refuses the excess with
/// a clean close while the process serves the devices it holds. Junk dials from its own loopback address, standing for
/// another host; the real devices dial from the usual one.
/// </summary>
public sealed class AdmissionTests
{
    private static readonly IPAddress JunkHost = IPAddress.Parse("127.250.0.1");

    [Fact]
    public async Task Junk_connects_at_many_times_the_connect_rate_do_not_lock_a_real_device_out()
    {
        // Five authenticated connections a second; the junk sends many times that.
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Gateway:ConnectionsPerSecond"] = "5" });
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("real-1");
        var wrongToken = SharedAccessSignature.Create($"{server.HubHostName}/devices/real-1", Convert.FromBase64String(SymmetricKeys.Generate()), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<int>();
        var junk = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var client = await RawMqttClient.ConnectAsync(server, JunkHost);
                answers.Add(await client.ConnectAsync("real-1", $"{server.HubHostName}/real-1/?api-version=2021-04-12", wrongToken, 60));
            }
        })).ToArray();

        try
        {
            await Wait.UntilAsync(() => Task.FromResult(answers.Count >= 20), TimeSpan.FromSeconds(30), "the junk storm is under way");
            var events = await NodeDevice.RunAsync(server, new
            {
                connectionString = NodeDevice.ConnectionString(server, "real-1", key),
                transport = "mqtt",
                action = "stream",
                prefix = "real",
                count = 20,
                intervalMs = 20,
            }, TimeSpan.FromSeconds(90));
            Assert.Equal(20, events.Count(e => (string?)e["event"] == "acked"));
            Assert.DoesNotContain(events, e => (string?)e["event"] is "send-error" or "error");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(junk);
        }

        // Junk never reached the rate bucket: it was refused for its credentials, not for lack of room.
        Assert.True(answers.Count > 40, $"only {answers.Count} junk CONNECTs were sent");
        Assert.All(answers, code => Assert.Equal((int)MqttConnectReturnCode.ConnectionRefusedNotAuthorized, code));
    }

    [Fact]
    public async Task Silent_connections_from_one_address_hold_only_its_pending_slots_and_only_until_the_connect_deadline()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Gateway:MaxPendingConnectionsPerAddress"] = "4",
            ["Centrum:Gateway:ConnectTimeout"] = "00:00:03",
        });
        var key = await server.AdminHttp().CreateDeviceAsync("real-2");

        // Four TCP connections that never start TLS take the address's pending slots…
        var accepted = Stopwatch.StartNew();
        var silent = new List<RawMqttClient>();
        for (var i = 0; i < 4; i++)
        {
            silent.Add(await RawMqttClient.ConnectAsync(server, JunkHost, tls: false));
        }

        try
        {
            // …so a fifth from that address is closed at once, before any handshake…
            await using (var fifth = await RawMqttClient.ConnectAsync(server, JunkHost, tls: false))
            {
                Assert.True(await fifth.WaitForServerCloseAsync(TimeSpan.FromSeconds(5)) < TimeSpan.FromSeconds(5));
            }

            // …while a device from another address connects and publishes.
            using (var device = MqttDevice.CreateClient())
            {
                Assert.Equal(MqttClientConnectResultCode.Success, (await device.ConnectAsync(MqttDevice.Options(server, "real-2", key, cleanSession: true))).ResultCode);
                var sent = await device.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/real-2/messages/events/").WithPayload("{\"t\":1}")
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                Assert.True(sent.IsSuccess);
                await device.DisconnectAsync();
            }

            // The silent ones are closed when the connect deadline, counted from accept, has passed.
            foreach (var client in silent)
            {
                await client.WaitForServerCloseAsync(TimeSpan.FromSeconds(10));
            }

            Assert.InRange(accepted.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(3 + 3));
        }
        finally
        {
            foreach (var client in silent)
            {
                await client.DisposeAsync();
            }
        }

        // The address's slots are free again: its next connection is answered, here for its malformed token. The server
        // releases a slot before it closes the socket, so the first reconnect after the close is admitted.
        await using var admitted = await RawMqttClient.ConnectAsync(server, JunkHost);
        Assert.Equal((int)MqttConnectReturnCode.ConnectionRefusedBadUsernameOrPassword,
            await admitted.ConnectAsync("real-2", $"{server.HubHostName}/real-2/?api-version=2021-04-12", "SharedAccessSignature sr=x&sig=y&se=1", 60));
    }

    [Fact]
    public async Task The_connection_cap_closes_the_excess_cleanly_and_the_held_devices_keep_working()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Gateway:MaxConnections"] = "3" });
        var http = server.AdminHttp();
        var devices = new List<(IMqttClient Client, string Id)>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"held-{i}";
            var key = await http.CreateDeviceAsync(id);
            var client = MqttDevice.CreateClient();
            Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(MqttDevice.Options(server, id, key, cleanSession: true))).ResultCode);
            devices.Add((client, id));
        }

        try
        {
            // The fourth is closed at accept: the peer sees an orderly end of stream, not a hang.
            await using (var excess = await RawMqttClient.ConnectAsync(server, tls: false))
            {
                Assert.True(await excess.WaitForServerCloseAsync(TimeSpan.FromSeconds(5)) < TimeSpan.FromSeconds(5));
            }

            // The cap covers MQTT over WebSockets on the HTTPS port too: the upgrade is answered 503.
            var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
            using (var socket = new System.Net.WebSockets.ClientWebSocket())
            {
                socket.Options.AddSubProtocol("mqtt");
                socket.Options.CollectHttpResponseDetails = true;
                socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca);
                await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(new Uri($"wss://{server.Address}/$iothub/websocket"), CancellationToken.None));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
            }

            foreach (var (client, id) in devices)
            {
                var sent = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{id}/messages/events/").WithPayload("{\"t\":2}")
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                Assert.True(sent.IsSuccess, $"{id} still publishes");
            }

            // One leaves; its place can be taken.
            await devices[0].Client.DisconnectAsync();
            var newcomerKey = await http.CreateDeviceAsync("newcomer-1");
            await Wait.UntilAsync(async () =>
            {
                using var newcomer = MqttDevice.CreateClient();
                try
                {
                    return (await newcomer.ConnectAsync(MqttDevice.Options(server, "newcomer-1", newcomerKey, cleanSession: true))).ResultCode == MqttClientConnectResultCode.Success;
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(15), "a place under the cap is free again");
        }
        finally
        {
            foreach (var (client, _) in devices)
            {
                client.Dispose();
            }
        }
    }
}
