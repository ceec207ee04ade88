using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Centrum.Edge.Buffering;
using Centrum.Edge.Downstream;
using Centrum.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Centrum.Edge.Tests;

/// <summary>
/// The edge's downstream MQTT listener, on a real TLS socket, with MQTTnet as the downstream device: authenticated
/// from the device scope, every acknowledged message in the store and forward, refusals as IoT Hub's.
/// </summary>
public sealed class DownstreamEndpointTests : IAsyncLifetime
{
    private const string Hub = "hub.example.test";
    private readonly string _folder = Directory.CreateTempSubdirectory("centrum-edge-downstream-").FullName;
    private readonly string _key = SymmetricKeys.Generate();
    private X509Certificate2 _certificate = null!;
    private WebApplication _edge = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(_folder, "edge.pem"), _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_folder, "edge.key"), rsa.ExportPkcs8PrivateKeyPem());

        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _edge = EdgeHost.Build([], new Dictionary<string, string?>
        {
            ["Edge:HubHostName"] = Hub,
            ["Edge:DeviceId"] = "edge-1",
            ["Edge:Store:Path"] = Path.Combine(_folder, "store.db"),
            ["Edge:Downstream:Address"] = "127.0.0.1",
            ["Edge:Downstream:Port"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Edge:Downstream:CertificatePath"] = Path.Combine(_folder, "edge.pem"),
            ["Edge:Downstream:KeyPath"] = Path.Combine(_folder, "edge.key"),
            // A cloud that is not there: these tests are about what the edge keeps while it cannot forward.
            ["Edge:Upstream:SharedAccessKey"] = SymmetricKeys.Generate(),
            ["Edge:Upstream:GatewayHostName"] = "127.0.0.1",
            ["Edge:Upstream:HttpsPort"] = "9",
            ["Edge:Upstream:MqttPort"] = "9",
            ["Edge:Upstream:ScopeCachePath"] = Path.Combine(_folder, "scope.json"),
        });
        _edge.Services.GetRequiredService<DeviceScope>().Replace([new ScopeIdentity("sensor-1", null, _key, SymmetricKeys.Generate())]);
        await _edge.StartAsync();
    }

    [Fact]
    public async Task A_downstream_device_is_acknowledged_only_for_what_the_store_holds_in_the_order_sent()
    {
        using var device = new MqttClientFactory().CreateMqttClient();
        var connected = await device.ConnectAsync(Options("sensor-1", Token("sensor-1", _key)));
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);

        for (var i = 0; i < 20; i++)
        {
            var acknowledged = await device.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic($"devices/sensor-1/messages/events/index={i}&%24.ct=application%2Fjson")
                .WithPayload(Encoding.UTF8.GetBytes($$"""{"temperature":{{20 + i}}}"""))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            Assert.True(acknowledged.IsSuccess);
        }

        var store = _edge.Services.GetRequiredService<MessageStore>();
        var kept = store.Read(DownstreamSession.Upstream, 0, 100);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $$"""{"temperature":{{20 + i}}}"""), kept.Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));
        Assert.All(kept, m => Assert.Equal("sensor-1", m.Message.Source));
        Assert.Equal("index=3&%24.ct=application%2Fjson", kept[3].Message.Properties);
    }

    [Fact]
    public async Task A_wrong_key_a_device_outside_the_scope_and_another_hub_are_refused()
    {
        foreach (var (clientId, token, userName) in new[]
        {
            ("sensor-1", Token("sensor-1", SymmetricKeys.Generate()), $"{Hub}/sensor-1/?api-version=2021-04-12"),
            ("stranger", Token("stranger", _key), $"{Hub}/stranger/?api-version=2021-04-12"),
            ("sensor-1", Token("sensor-1", _key), "other-hub.example.test/sensor-1/?api-version=2021-04-12"),
        })
        {
            using var device = new MqttClientFactory().CreateMqttClient();
            var options = Options(clientId, token);
            options.Credentials = new MqttClientCredentials(userName, Encoding.UTF8.GetBytes(token));
            var refused = await device.ConnectAsync(options);
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refused.ResultCode);
        }

        Assert.Equal(0, _edge.Services.GetRequiredService<MessageStore>().Count);
    }

    [Fact]
    public async Task Publishing_to_another_devices_topic_closes_the_connection_and_stores_nothing()
    {
        using var device = new MqttClientFactory().CreateMqttClient();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        await device.ConnectAsync(Options("sensor-1", Token("sensor-1", _key)));

        var publish = device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("devices/sensor-2/messages/events/")
            .WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<Exception>(() => publish);
        Assert.Equal(0, _edge.Services.GetRequiredService<MessageStore>().Count);
    }

    public async Task DisposeAsync()
    {
        await _edge.StopAsync();
        await _edge.DisposeAsync();
        _certificate.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Token(string deviceId, string key) =>
        SharedAccessSignature.Create($"{Hub}/devices/{deviceId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

    private MqttClientOptions Options(string clientId, string token) => new MqttClientOptionsBuilder()
        .WithTcpServer("localhost", _port)
        .WithProtocolVersion(MqttProtocolVersion.V311)
        .WithClientId(clientId)
        .WithCredentials($"{Hub}/{clientId}/?api-version=2021-04-12", token)
        .WithCleanSession(true)
        .WithTimeout(TimeSpan.FromSeconds(30))
        .WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithCertificateValidationHandler(e => e.Certificate is not null && e.Certificate.GetRawCertData().AsSpan().SequenceEqual(_certificate.RawData)))
        .Build();
}
