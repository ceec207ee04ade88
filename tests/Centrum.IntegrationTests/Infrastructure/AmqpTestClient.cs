using System.Security.Cryptography.X509Certificates;
using Centrum.Security;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Transport;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// An AMQP device connection on Microsoft.Azure.Amqp, the library the C# device SDK is built on, driven by hand for
/// what the SDKs will not do on purpose (several devices on one connection, another device's address, expired tokens).
/// Tokens go through the library's own CBS client (<see cref="AmqpCbsLink"/>), as the C# SDK sends them.
/// </summary>
internal sealed class AmqpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly CentrumServer _server;
    private AmqpCbsLink? _cbs;

    private AmqpTestClient(CentrumServer server, AmqpConnection connection)
    {
        _server = server;
        Connection = connection;
    }

    public AmqpConnection Connection { get; }

    public static async Task<AmqpTestClient> ConnectAsync(CentrumServer server)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
        var settings = new AmqpSettings();
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        settings.TransportProviders.Add(amqp);
        var tls = new TlsTransportSettings(new TcpTransportSettings { Host = server.Address.ToString(), Port = 5671 })
        {
            TargetHost = server.HubHostName,
            CertificateValidationCallback = (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca),
        };
        var transport = await new AmqpTransportInitiator(settings, tls).ConnectTaskAsync(Timeout);
        var connection = new AmqpConnection(transport, settings, new AmqpConnectionSettings { ContainerId = Guid.NewGuid().ToString("N"), HostName = server.HubHostName });
        await connection.OpenAsync(Timeout);
        return new AmqpTestClient(server, connection);
    }

    public static string Token(CentrumServer server, string deviceId, string key, DateTimeOffset? expiry = null) =>
        SharedAccessSignature.Create($"{server.HubHostName}/devices/{deviceId}", Convert.FromBase64String(key), (expiry ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds());

    /// <summary>Puts a device's SAS token on <c>$cbs</c>; throws as the C# SDK does when the server answers other than 200/202.</summary>
    public Task PutTokenAsync(string deviceId, string token)
    {
        _cbs ??= new AmqpCbsLink(Connection);
        var audience = $"{_server.HubHostName}/devices/{deviceId}";
        return _cbs.SendTokenAsync(new FixedToken(token), new Uri($"amqps://{_server.HubHostName}"), audience, audience, ["Send"], Timeout);
    }

    /// <summary>Opens the device's telemetry link, each on its own session as the C# SDK's connection pool does.</summary>
    public async Task<SendingAmqpLink> OpenTelemetryAsync(string address)
    {
        var session = Connection.CreateSession(new AmqpSessionSettings());
        await session.OpenAsync(Timeout);
        var link = new SendingAmqpLink(new AmqpLinkSettings
        {
            LinkName = "events-" + Guid.NewGuid().ToString("N"),
            Role = false,
            Source = new Source { Address = "device" },
            Target = new Target { Address = address },
            SettleType = SettleMode.SettleOnDispose,
        });
        link.AttachTo(session);
        await link.OpenAsync(Timeout);
        return link;
    }

    /// <summary>Opens a receiver link on <paramref name="address"/> (cloud-to-device, twin or method answers), on its own session.</summary>
    public async Task<ReceivingAmqpLink> OpenReceiverAsync(string address)
    {
        var session = Connection.CreateSession(new AmqpSessionSettings());
        await session.OpenAsync(Timeout);
        var link = new ReceivingAmqpLink(new AmqpLinkSettings
        {
            LinkName = "receiver-" + Guid.NewGuid().ToString("N"),
            Role = true,
            Source = new Source { Address = address },
            Target = new Target { Address = "device" },
            TotalLinkCredit = 10,
            AutoSendFlow = true,
            SettleType = SettleMode.SettleOnDispose,
        });
        link.AttachTo(session);
        await link.OpenAsync(Timeout);
        return link;
    }

    public static async Task<Outcome> SendAsync(SendingAmqpLink link, string json, string? messageId = null)
    {
        using var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(System.Text.Encoding.UTF8.GetBytes(json)) });
        message.Properties.MessageId = messageId ?? Guid.NewGuid().ToString();
        message.Properties.ContentType = "application/json";
        message.Properties.ContentEncoding = "utf-8";
        return await link.SendMessageAsync(message, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary, Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.CloseAsync(Timeout);
        }
        catch (Exception ex) when (ex is AmqpException or TimeoutException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Connection.Abort();
        }
    }

    private sealed class FixedToken(string token) : ICbsTokenProvider
    {
        public Task<CbsToken> GetTokenAsync(Uri namespaceAddress, string appliesTo, string[] requiredClaims) =>
            Task.FromResult(new CbsToken(token, "azure-devices.net:sastoken", DateTime.UtcNow.AddHours(1)));
    }
}
