using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Centrum.Security;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Transport;

namespace Centrum.LoadGen;

/// <summary>
/// The telemetry load of <see cref="LoadRun"/> over AMQP 1.0 on Microsoft.Azure.Amqp, as the C# device SDK sends it:
/// a SAS token put on <c>$cbs</c> per device, one session and one sender link per device on
/// <c>/devices/{id}/messages/events</c>, each message settled by the server's Accepted after its commit. With
/// <c>multiplex</c> every device shares one connection (the SDK's connection pooling, or a gateway); otherwise each
/// device has its own. Latency is send-to-Accepted.
/// </summary>
internal sealed class AmqpRun(LoadSettings settings, bool multiplex)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly LatencyRecorder _latencies = new();
    private long _acknowledged;
    private long _errors;

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = DeviceFleet.Credentials(settings.KeysFile, settings.Devices);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.CaPath));
        var connectWatch = Stopwatch.StartNew();
        var connections = new List<AmqpConnection>();
        var links = new SendingAmqpLink[credentials.Count];
        (AmqpConnection Connection, AmqpCbsLink Cbs)? shared = multiplex ? await ConnectAsync(ca, connections) : null;
        using (var gate = new SemaphoreSlim(50))
        {
            await Task.WhenAll(credentials.Select(async (c, i) =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var (connection, cbs) = shared ?? await ConnectAsync(ca, connections);
                    var audience = $"{settings.HubHost}/devices/{c.DeviceId}";
                    var token = SharedAccessSignature.Create(audience, Convert.FromBase64String(c.Key!), DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
                    await cbs.SendTokenAsync(new FixedToken(token), new Uri($"amqps://{settings.HubHost}"), audience, audience, ["Send"], Timeout);
                    var session = connection.CreateSession(new AmqpSessionSettings());
                    await session.OpenAsync(Timeout);
                    var link = new SendingAmqpLink(new AmqpLinkSettings
                    {
                        LinkName = "events-" + c.DeviceId,
                        Role = false,
                        Source = new Source { Address = c.DeviceId },
                        Target = new Target { Address = $"/devices/{c.DeviceId}/messages/events" },
                        SettleType = SettleMode.SettleOnDispose,
                    });
                    link.AttachTo(session);
                    await link.OpenAsync(Timeout);
                    links[i] = link;
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        var body = Encoding.UTF8.GetBytes("{\"temperature\":21.5,\"humidity\":40,\"pad\":\"" + new string('x', Math.Max(0, settings.PayloadBytes - 42)) + "\"}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = Stopwatch.StartNew();
        stop.CancelAfter(settings.Duration);
        var workers = links.SelectMany(link => Enumerable.Range(0, settings.Window).Select(_ => Task.Run(() => SendLoopAsync(link, body, stop.Token)))).ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed.TotalSeconds;

        foreach (var connection in connections)
        {
            try
            {
                await connection.CloseAsync(Timeout);
            }
            catch (Exception ex) when (ex is AmqpException or TimeoutException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                connection.Abort();
            }
        }

        var summary = _latencies.Summary();
        return new LoadReport(settings.Label, settings.Devices, settings.Window, settings.PayloadBytes, settings.Rate, connectSeconds,
            elapsed, Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _errors), _acknowledged / elapsed,
            summary.P50, summary.P95, summary.P99, summary.Max);
    }

    private async Task<(AmqpConnection, AmqpCbsLink)> ConnectAsync(X509Certificate2 ca, List<AmqpConnection> connections)
    {
        var amqpSettings = new AmqpSettings();
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        amqpSettings.TransportProviders.Add(amqp);
        var tls = new TlsTransportSettings(new TcpTransportSettings { Host = settings.Host, Port = settings.Port })
        {
            TargetHost = settings.HubHost,
            CertificateValidationCallback = (_, certificate, _, _) => DeviceFleet.Trusted(certificate, ca),
        };
        var transport = await new AmqpTransportInitiator(amqpSettings, tls).ConnectTaskAsync(Timeout);
        var connection = new AmqpConnection(transport, amqpSettings, new AmqpConnectionSettings { ContainerId = Guid.NewGuid().ToString("N"), HostName = settings.HubHost });
        await connection.OpenAsync(Timeout);
        lock (connections)
        {
            connections.Add(connection);
        }

        return (connection, new AmqpCbsLink(connection));
    }

    private async Task SendLoopAsync(SendingAmqpLink link, byte[] body, CancellationToken stop)
    {
        var latencies = _latencies.NewList();
        while (!stop.IsCancellationRequested)
        {
            using var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(body) });
            message.Properties.ContentType = "application/json";
            message.Properties.ContentEncoding = "utf-8";
            var started = Stopwatch.GetTimestamp();
            try
            {
                var outcome = await link.SendMessageAsync(message, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary, Timeout);
                if (outcome is Accepted)
                {
                    latencies.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                    Interlocked.Increment(ref _acknowledged);
                }
                else
                {
                    Interlocked.Increment(ref _errors);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _errors);
                return;
            }
        }
    }

    private sealed class FixedToken(string token) : ICbsTokenProvider
    {
        public Task<CbsToken> GetTokenAsync(Uri namespaceAddress, string appliesTo, string[] requiredClaims) =>
            Task.FromResult(new CbsToken(token, "azure-devices.net:sastoken", DateTime.UtcNow.AddHours(2)));
    }
}
