using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// Modules that authenticate with X.509 (IoT Hub's <c>selfSigned</c> authentication, "Modules - Create Or Update
/// Identity" with <c>x509Thumbprint</c>): the edge device registers the thumbprint through the module registry call the
/// IoT Edge identity service makes, and the module then connects with its certificate and no password.
/// </summary>
public sealed class EdgeModuleCertificateTests
{
    [Fact]
    public async Task A_self_signed_module_connects_with_its_certificate_and_no_other_certificate_or_password_will_do()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("edge-x", """{"type":["iotEdge"]}""");
        using var camera = SelfSigned("edge-x/camera");
        using var stranger = SelfSigned("edge-x/camera");
        using var http = server.Http();

        // Registered by SHA-256 thumbprint; the answer gives the type and thumbprint back, as IoT Hub's registry does.
        var body = new JsonObject
        {
            ["moduleId"] = "camera",
            ["deviceId"] = "edge-x",
            ["authentication"] = new JsonObject
            {
                ["type"] = "selfSigned",
                ["x509Thumbprint"] = new JsonObject { ["primaryThumbprint"] = camera.GetCertHashString(HashAlgorithmName.SHA256), ["secondaryThumbprint"] = null },
            },
        }.ToJsonString();
        var (status, module) = await EdgeModuleTests.SendAsync(server, http, HttpMethod.Put, "/devices/edge-x/modules/camera", edgeKey, "edge-x", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("selfSigned", (string?)module!["authentication"]!["type"]);
        Assert.Equal(camera.GetCertHashString(HashAlgorithmName.SHA256), (string?)module["authentication"]!["x509Thumbprint"]!["primaryThumbprint"]);

        using (var client = MqttDevice.CreateClient())
        {
            Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(Options(server, camera, password: null))).ResultCode);
            var sent = await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic("devices/edge-x/modules/camera/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
                .WithPayload("""{"frames":25}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(sent.IsSuccess);
            await Wait.UntilAsync(async () =>
            {
                var response = await admin.GetAsync($"api/devices/edge-x/modules/camera/telemetry/frames?{DeviceApi.Version}");
                return response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"] is { } value && (int)value == 25;
            }, TimeSpan.FromSeconds(20), "the module's telemetry is readable through REST");
        }

        // Another certificate with the same subject, the right certificate beside a password, and no certificate at all.
        foreach (var (certificate, password) in new (X509Certificate2?, string?)[] { (stranger, null), (camera, "SharedAccessSignature sr=x&sig=y&se=1"), (null, null) })
        {
            using var client = MqttDevice.CreateClient();
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await client.ConnectAsync(Options(server, certificate, password))).ResultCode);
        }

        // A thumbprint that is not one is refused in IoT Hub's error shape, and the module keeps its certificate.
        var bad = body.Replace(camera.GetCertHashString(HashAlgorithmName.SHA256), "not-a-thumbprint", StringComparison.Ordinal);
        var (badStatus, error) = await EdgeModuleTests.SendAsync(server, http, HttpMethod.Put, "/devices/edge-x/modules/camera", edgeKey, "edge-x", bad, ifMatch: "*");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("thumbprint", (string?)error!["Message"], StringComparison.Ordinal);
        using (var client = MqttDevice.CreateClient())
        {
            Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(Options(server, camera, password: null))).ResultCode);
        }
    }

    private static MqttClientOptions Options(CentrumServer server, X509Certificate2? certificate, string? password)
    {
        var options = MqttDevice.Options(server, "edge-x/camera", $"{server.HubHostName}/edge-x/camera/?api-version=2021-04-12", password, cleanSession: true);
        if (certificate is not null)
        {
            options.ChannelOptions.TlsOptions.ClientCertificatesProvider = new CertificateProvider(certificate);
        }

        return options;
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private sealed class CertificateProvider(X509Certificate2 certificate) : IMqttClientCertificatesProvider
    {
        public X509CertificateCollection GetCertificates() => [certificate];
    }
}
