using System.Security.Cryptography.X509Certificates;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Formatter;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// A hand-driven MQTT 3.1.1 device on MQTTnet's client, for what the Azure SDKs will not do on purpose: expired
/// tokens, other devices' topics, oversize messages.
/// </summary>
internal static class MqttDevice
{
    public static IMqttClient CreateClient() => new MqttClientFactory().CreateMqttClient();

    public static MqttClientOptions Options(CentrumServer server, string deviceId, string key, bool cleanSession = false, DateTimeOffset? expiry = null, string? hubHost = null)
    {
        var host = hubHost ?? server.HubHostName;
        var token = SharedAccessSignature.Create($"{host}/devices/{deviceId}", Convert.FromBase64String(key), (expiry ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds());
        return Options(server, deviceId, $"{host}/{deviceId}/?api-version=2021-04-12", token, cleanSession);
    }

    public static MqttClientOptions Options(CentrumServer server, string clientId, string userName, string? password, bool cleanSession)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
        return new MqttClientOptionsBuilder()
            .WithTcpServer(server.Address.ToString(), 8883)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCredentials(userName, password)
            .WithCleanSession(cleanSession)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(20))
            .WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(e => CentrumServer.TrustedByCa(e.Certificate, ca)))
            .Build();
    }

    /// <summary>Waits until the server has closed the client's connection.</summary>
    public static Task WaitForDisconnectAsync(IMqttClient client, TimeSpan timeout) =>
        Wait.UntilAsync(async () => !client.IsConnected || !await client.TryPingAsync(), timeout, "the server closes the connection");
}
