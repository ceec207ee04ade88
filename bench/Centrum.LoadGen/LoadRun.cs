using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.LoadGen;

/// <summary>
/// Connects the devices, then publishes QoS 1 telemetry for the measured duration. Latency is publish-to-PUBACK as
/// the client sees it; throughput counts acknowledged messages only. A body factory, when given, builds each
/// message's payload at the moment it is sent (the export bench stamps the publish time into it).
/// </summary>
internal sealed class LoadRun(LoadSettings settings, Func<byte[]>? bodyFactory = null)
{
    private readonly LatencyRecorder _latencies = new();
    private long _acknowledged;
    private long _errors;

    /// <summary>When the measured publishing began and ended (wall clock), set by <see cref="RunAsync"/>.</summary>
    public DateTimeOffset PublishStarted { get; private set; }

    public DateTimeOffset PublishEnded { get; private set; }

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = DeviceFleet.Credentials(settings.KeysFile, settings.Devices);
        var connectWatch = Stopwatch.StartNew();
        var clients = await DeviceFleet.ConnectAsync(settings, credentials, null, cancellationToken);
        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        var body = Payload(settings.PayloadBytes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var perDeviceInterval = settings.Rate > 0 ? TimeSpan.FromSeconds((double)settings.Devices / settings.Rate) : TimeSpan.Zero;
        PublishStarted = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        stop.CancelAfter(settings.Duration);
        var workers = clients.Select((client, i) => Enumerable.Range(0, settings.Window)
                .Select(w => Task.Run(() => PublishLoopAsync(client, credentials[i].DeviceId, body, perDeviceInterval * settings.Window, stop.Token))))
            .SelectMany(t => t)
            .ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed.TotalSeconds;
        PublishEnded = DateTimeOffset.UtcNow;

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

            if (bodyFactory is not null)
            {
                message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(bodyFactory()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
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
