using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Centrum.LoadGen;

/// <summary>
/// Connects the devices, then publishes QoS 1 telemetry for the measured duration. Latency is publish-to-PUBACK as
/// the client sees it; throughput counts acknowledged messages only.
/// </summary>
internal sealed class LoadRun(LoadSettings settings)
{
    private readonly LatencyRecorder _latencies = new();
    private long _acknowledged;
    private long _errors;

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.CaPath));
        var credentials = settings.KeysFile is null
            ? Enumerable.Range(0, settings.Devices).Select(i => ($"bench-{i:D5}", (string?)null)).ToList()
            : File.ReadAllLines(settings.KeysFile).Select(l => l.Split(' ')).Select(p => (p[0], (string?)p[1])).Take(settings.Devices).ToList();

        var clients = new IMqttClient[credentials.Count];
        var connectWatch = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(50))
        {
            await Task.WhenAll(credentials.Select(async (c, i) =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    clients[i] = await ConnectAsync(c.Item1, c.Item2, ca, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        var body = Payload(settings.PayloadBytes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var perDeviceInterval = settings.Rate > 0 ? TimeSpan.FromSeconds((double)settings.Devices / settings.Rate) : TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        stop.CancelAfter(settings.Duration);
        var workers = clients.Select((client, i) => Enumerable.Range(0, settings.Window)
                .Select(w => Task.Run(() => PublishLoopAsync(client, credentials[i].Item1, body, perDeviceInterval * settings.Window, stop.Token))))
            .SelectMany(t => t)
            .ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed.TotalSeconds;

        await Task.WhenAll(clients.Select(c => c.DisconnectAsync()));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var summary = _latencies.Summary();
        return new LoadReport(settings.Label, settings.Devices, settings.Window, settings.PayloadBytes, settings.Rate, connectSeconds,
            elapsed, Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _errors), _acknowledged / elapsed,
            summary.P50, summary.P95, summary.P99, summary.Max);
    }

    private async Task PublishLoopAsync(IMqttClient client, string deviceId, byte[] body, TimeSpan interval, CancellationToken stop)
    {
        var latencies = _latencies.NewList();
        var topic = $"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8";
        var next = Stopwatch.GetTimestamp();
        // Spread the devices' first sends over one interval so a paced run does not start with a burst.
        if (interval > TimeSpan.Zero)
        {
            next += (long)(Random.Shared.NextDouble() * interval.TotalSeconds * Stopwatch.Frequency);
        }

        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        while (!stop.IsCancellationRequested)
        {
            if (interval > TimeSpan.Zero)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await client.PublishAsync(message, CancellationToken.None);
                if (result.IsSuccess)
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

    private async Task<IMqttClient> ConnectAsync(string deviceId, string? key, X509Certificate2 ca, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.Host, settings.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(deviceId)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(180))
            .WithTimeout(TimeSpan.FromSeconds(60))
            .WithTlsOptions(o => o.UseTls().WithTrustChain([ca]).WithCertificateValidationHandler(e => Trusted(e.Certificate, ca)));
        if (key is not null)
        {
            var token = SharedAccessSignature.Create($"{settings.HubHost}/devices/{deviceId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
            builder.WithCredentials($"{settings.HubHost}/{deviceId}/?api-version=2021-04-12", token);
        }

        var result = await client.ConnectAsync(builder.Build(), cancellationToken);
        return result.ResultCode == MqttClientConnectResultCode.Success
            ? client
            : throw new InvalidOperationException($"{deviceId} was refused: {result.ResultCode}");
    }

    private static bool Trusted(X509Certificate? certificate, X509Certificate2 ca)
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

    private static byte[] Payload(int size)
    {
        var json = "{\"temperature\":21.5,\"humidity\":40,\"pad\":\"" ;
        var padding = Math.Max(0, size - json.Length - 2);
        return Encoding.UTF8.GetBytes(json + new string('x', padding) + "\"}");
    }
}

internal sealed record LoadReport(
    string Label, int Devices, int Window, int PayloadBytes, int TargetRate, double ConnectSeconds, double Seconds,
    long Acknowledged, long Errors, double MessagesPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}
