using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// IoT Hub's HTTPS device API, driven by the Azure IoT Node.js SDK's HTTPS transport (azure-iot-device-http) against
/// the real server on the hub host name: telemetry one by one and in a batch, read back through REST; cloud-to-device
/// messages received, completed, abandoned and rejected; and the refusals MQTT gives (wrong key, another device's
/// path, an oversize message).
/// </summary>
public sealed class HttpsDeviceTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly TimeSpan DeviceTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sdk_device_sends_telemetry_singly_and_in_a_batch_that_REST_reads_back()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("http-thermo-1");

        var events = await RunAsync(server, new
        {
            connectionString = ConnectionString(server, "http-thermo-1", key),
            messages = new object[]
            {
                new { body = new { temperature = 21.5 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "h-1", properties = new Dictionary<string, string> { ["site"] = "north wing/2" } },
                new { body = new { temperature = 22.0 }, contentType = "application/json", contentEncoding = "utf-8", messageId = "h-2" },
            },
            batch = new object[]
            {
                new { body = new { temperature = 22.5 }, messageId = "b-1" },
                new { body = new { temperature = 23.0 }, messageId = "b-2" },
            },
        });

        Assert.Equal(["h-1", "h-2"], events.Where(e => (string?)e["event"] == "sent").Select(e => (string?)e["id"]));
        Assert.Single(events, e => (string?)e["event"] == "batch-sent");
        // Answered only after the commit: REST reads every message at once.
        var series = await http.GetJsonAsync("api/devices/http-thermo-1/telemetry/temperature/series");
        Assert.Equal([21.5, 22.0, 22.5, 23.0], series["value"]!.AsArray().Select(p => (double)p!["value"]!));
    }

    [Fact]
    public async Task Sdk_device_receives_cloud_to_device_messages_and_completes_abandons_and_rejects_them()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("http-c2d-1");
        await CloudToDeviceTests.SendAsync(http, "http-c2d-1", """{"body":{"setpoint":20},"messageId":"keep","properties":{"priority":"high & urgent"}}""");
        await CloudToDeviceTests.SendAsync(http, "http-c2d-1", """{"body":"again","messageId":"retry"}""");
        await CloudToDeviceTests.SendAsync(http, "http-c2d-1", """{"body":"bad","messageId":"refuse"}""");

        var events = await RunAsync(server, new
        {
            connectionString = ConnectionString(server, "http-c2d-1", key),
            settle = new Dictionary<string, string[]> { ["keep"] = ["complete"], ["retry"] = ["abandon", "complete"], ["refuse"] = ["reject"] },
        });

        var received = events.Where(e => (string?)e["event"] == "c2d").ToList();
        Assert.Equal(["keep", "refuse", "retry", "retry"], received.Select(e => (string?)e["id"]).Order(StringComparer.Ordinal));
        Assert.Equal(["abandon", "complete"], received.Where(e => (string?)e["id"] == "retry").Select(e => (string?)e["outcome"]));
        var keep = received.First(e => (string?)e["id"] == "keep");
        Assert.Equal(20, (int)JsonNode.Parse((string)keep["body"]!)!["setpoint"]!);
        // The Node SDK keeps the header's iothub-app- prefix on application properties (common/transport/http toMessage).
        Assert.Equal("high & urgent", (string?)keep["properties"]!["iothub-app-priority"]);
        Assert.All(events.Where(e => (string?)e["event"] == "settled"), e => Assert.Null((string?)e["error"]));
        Assert.Contains(events, e => (string?)e["event"] == "done");

        // Completed and rejected, every message left the queue; a receive now finds nothing (204).
        var token = DeviceToken(server.HubHostName, "http-c2d-1", key);
        using var response = await SendAsync(server, HttpMethod.Get, "devices/http-c2d-1/messages/deviceBound", token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_message_held_by_an_HTTPS_receive_is_not_given_to_another_and_its_lock_token_settles_it_once()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("http-lock-1");
        await CloudToDeviceTests.SendAsync(http, "http-lock-1", """{"body":"once","messageId":"only"}""");
        var token = DeviceToken(server.HubHostName, "http-lock-1", key);

        using var first = await SendAsync(server, HttpMethod.Get, "devices/http-lock-1/messages/devicebound", token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("only", first.Headers.GetValues("iothub-messageid").Single());
        var lockToken = first.Headers.ETag!.Tag.Trim('"');
        using var second = await SendAsync(server, HttpMethod.Get, "devices/http-lock-1/messages/devicebound", token);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);

        using var completed = await SendAsync(server, HttpMethod.Delete, $"devices/http-lock-1/messages/devicebound/{lockToken}", token);
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        using var again = await SendAsync(server, HttpMethod.Delete, $"devices/http-lock-1/messages/devicebound/{lockToken}", token);
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        Assert.Contains("DeviceMessageLockLost", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_key_another_devices_path_and_an_oversize_message_are_refused_as_on_MQTT()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("http-refuse-1");
        await http.CreateDeviceAsync("http-refuse-2");
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var wrong = await RunAsync(server, new
        {
            connectionString = ConnectionString(server, "http-refuse-1", wrongKey),
            messages = new object[] { new { body = new { temperature = 1 }, messageId = "w-1" } },
        });
        Assert.Equal(401, (int?)wrong.Single(e => (string?)e["event"] == "send-error")["status"]);

        var oversize = await RunAsync(server, new
        {
            connectionString = ConnectionString(server, "http-refuse-1", key),
            messages = new object[] { new { bodyBytes = (256 * 1024) + 1, messageId = "big" } },
        });
        Assert.Equal(413, (int?)oversize.Single(e => (string?)e["event"] == "send-error")["status"]);

        // Device 1's own token on device 2's path: IoT Hub refuses it (401), as MQTT refuses the topic.
        var token = DeviceToken(server.HubHostName, "http-refuse-1", key);
        using var other = await SendAsync(server, HttpMethod.Post, "devices/http-refuse-2/messages/events", token, """{"temperature":2}""");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("IotHubUnauthorizedAccess", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var otherReceive = await SendAsync(server, HttpMethod.Get, "devices/http-refuse-2/messages/deviceBound", token);
        Assert.Equal(HttpStatusCode.Unauthorized, otherReceive.StatusCode);

        foreach (var device in new[] { "http-refuse-1", "http-refuse-2" })
        {
            var series = await http.GetJsonAsync($"api/devices/{device}/telemetry/temperature/series");
            Assert.Empty(series["value"]!.AsArray());
        }
    }

    [Fact]
    public async Task An_X509_device_sends_with_its_client_certificate_and_another_certificate_is_refused()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("http-x509-1");
        using var ca = TestCertificates.CreateCa("HTTPS devices");
        using var leaf = TestCertificates.Issue(ca, "http-x509-1", ecdsa: true);
        using var stranger = TestCertificates.Issue(ca, "http-x509-2", ecdsa: true);
        var attestation = await http.PutAsync($"api/devices/http-x509-1/attestation?{DeviceApi.Version}", CentrumServer.Json(
            new JsonObject
            {
                ["type"] = "x509",
                ["x509"] = new JsonObject { ["clientCertificates"] = new JsonObject { ["primary"] = new JsonObject { ["certificate"] = TestCertificates.Base64(leaf) } } },
            }.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, attestation.StatusCode);

        async Task<HttpStatusCode> SendWithAsync(X509Certificate2 certificate, double temperature)
        {
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    // The server's certificate was checked by every other case; this one is about the client's.
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null,
                    ClientCertificates = [certificate],
                },
            };
            using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Post, "devices/http-x509-1/messages/events?api-version=2020-09-30");
            request.Headers.Host = server.HubHostName;
            request.Headers.TryAddWithoutValidation("iothub-messageid", "x509-message");
            request.Content = new StringContent(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"temperature\":{temperature}}}"), Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NoContent, await SendWithAsync(leaf, 30.5));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendWithAsync(stranger, 99));
        var series = await http.GetJsonAsync("api/devices/http-x509-1/telemetry/temperature/series");
        Assert.Equal([30.5], series["value"]!.AsArray().Select(p => (double)p!["value"]!));
    }

    /// <summary>
    /// One message goes to one transport: held in an MQTT connection's window (no PUBACK yet), an HTTPS receive does not
    /// get it; once the MQTT connection is gone without acknowledging, the HTTPS receive gets it.
    /// </summary>
    [Fact]
    public async Task A_message_in_flight_on_MQTT_is_not_received_over_HTTPS_until_that_connection_lets_it_go()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("http-both-1");
        await CloudToDeviceTests.SendAsync(http, "http-both-1", """{"body":"one","messageId":"single"}""");
        var token = DeviceToken(server.HubHostName, "http-both-1", key);

        using (var mqtt = MqttDevice.CreateClient())
        {
            var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            mqtt.ApplicationMessageReceivedAsync += e =>
            {
                e.AutoAcknowledge = false;
                received.TrySetResult();
                return Task.CompletedTask;
            };
            await mqtt.ConnectAsync(MqttDevice.Options(server, "http-both-1", key, cleanSession: true));
            await mqtt.SubscribeAsync("devices/http-both-1/messages/devicebound/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            await received.Task.WaitAsync(DeviceTimeout);

            using var whileHeld = await SendAsync(server, HttpMethod.Get, "devices/http-both-1/messages/deviceBound", token);
            Assert.Equal(HttpStatusCode.NoContent, whileHeld.StatusCode);
            await mqtt.DisconnectAsync();
        }

        // The connection's end frees the message; the server sees the close a moment after the client.
        HttpStatusCode status = default;
        string? messageId = null;
        await Wait.UntilAsync(async () =>
        {
            using var response = await SendAsync(server, HttpMethod.Get, "devices/http-both-1/messages/deviceBound", token);
            status = response.StatusCode;
            messageId = response.Headers.TryGetValues("iothub-messageid", out var values) ? values.Single() : null;
            return status == HttpStatusCode.OK;
        }, DeviceTimeout, "the message is free for HTTPS after the MQTT connection closed");
        Assert.Equal("single", messageId);
    }

    private static string ConnectionString(CentrumServer server, string deviceId, string key) =>
        $"HostName={server.HubHostName};DeviceId={deviceId};SharedAccessKey={key}";

    /// <summary>Runs http-device.js with the hub host name resolved to the server, as a deployment's DNS would.</summary>
    private static Task<IReadOnlyList<JsonObject>> RunAsync(CentrumServer server, object scenario)
    {
        var node = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(scenario))!.AsObject();
        node["resolve"] = new JsonObject { ["domain"] = CentrumServer.HostName, ["address"] = server.Address.ToString() };
        return NodeDevice.RunAsync(server, node, DeviceTimeout, "http-device.js");
    }

    internal static async Task<HttpResponseMessage> SendAsync(CentrumServer server, HttpMethod method, string path, string token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, $"{path}?api-version=2021-04-12");
        request.Headers.Host = server.HubHostName;
        request.Headers.TryAddWithoutValidation("Authorization", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var client = server.Http();
        return await client.SendAsync(request);
    }

    /// <summary>A device SAS token (IoT Hub docs "Control access to IoT Hub with shared access signatures").</summary>
    internal static string DeviceToken(string hubHost, string deviceId, string key)
    {
        var sr = WebUtility.UrlEncode($"{hubHost}/devices/{deviceId}");
        var expiry = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var signature = HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes($"{sr}\n{expiry}"));
        return $"SharedAccessSignature sr={sr}&sig={WebUtility.UrlEncode(Convert.ToBase64String(signature))}&se={expiry}";
    }
}
