using System.Security.Cryptography.X509Certificates;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Formatter;

namespace Centrum.LoadGen;

/// <summary>Connects many devices over MQTT/TLS with SAS tokens, fifty handshakes at a time.</summary>
internal static class DeviceFleet
{
    public static List<(string DeviceId, string? Key)> Credentials(string? keysFile, int devices) =>
        keysFile is null
            ? Enumerable.Range(0, devices).Select(i => ($"bench-{i:D5}", (string?)null)).ToList()
            : File.ReadAllLines(keysFile).Select(l => l.Split(' ')).Select(p => (p[0], (string?)p[1])).Take(devices).ToList();

    public static async Task<IMqttClient[]> ConnectAsync(LoadSettings settings, IReadOnlyList<(string DeviceId, string? Key)> credentials, Action<IMqttClient, string>? configure, CancellationToken cancellationToken)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.CaPath));
        var clients = new IMqttClient[credentials.Count];
        using var gate = new SemaphoreSlim(50);
        await Task.WhenAll(credentials.Select(async (c, i) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var client = new MqttClientFactory().CreateMqttClient();
                configure?.Invoke(client, c.DeviceId);
                var builder = new MqttClientOptionsBuilder()
                    .WithTcpServer(settings.Host, settings.Port)
                    .WithProtocolVersion(MqttProtocolVersion.V311)
                    .WithClientId(c.DeviceId)
                    .WithCleanSession(false)
                    .WithKeepAlivePeriod(TimeSpan.FromSeconds(180))
                    .WithTimeout(TimeSpan.FromSeconds(60))
                    .WithTlsOptions(o => o.UseTls().WithTrustChain([ca]).WithCertificateValidationHandler(e => Trusted(e.Certificate, ca)));
                if (c.Key is not null)
                {
                    var token = SharedAccessSignature.Create($"{settings.HubHost}/devices/{c.DeviceId}", Convert.FromBase64String(c.Key), DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
                    builder.WithCredentials($"{settings.HubHost}/{c.DeviceId}/?api-version=2021-04-12", token);
                }

                var result = await client.ConnectAsync(builder.Build(), cancellationToken);
                clients[i] = result.ResultCode == MqttClientConnectResultCode.Success
                    ? client
                    : throw new InvalidOperationException($"{c.DeviceId} was refused: {result.ResultCode}");
            }
            finally
            {
                gate.Release();
            }
        }));
        return clients;
    }

    public static bool Trusted(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
