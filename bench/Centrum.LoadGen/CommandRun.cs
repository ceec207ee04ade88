using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.LoadGen;

/// <summary>
/// Commands and reported properties across a connected fleet: the devices answer every direct method at once; REST
/// callers invoke commands on random devices and measure the round trip; then every device sends reported patches,
/// one at a time, and the run counts the server's 204 answers.
/// </summary>
internal sealed class CommandRun(LoadSettings settings, string api, string token, int concurrency)
{
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = DeviceFleet.Credentials(settings.KeysFile, settings.Devices);
        var twinWaiters = new ConcurrentDictionary<string, TaskCompletionSource>();
        var clients = await DeviceFleet.ConnectAsync(settings, credentials, (client, deviceId) =>
        {
            client.ApplicationMessageReceivedAsync += async e =>
            {
                var topic = e.ApplicationMessage.Topic;
                if (topic.StartsWith("$iothub/methods/POST/", StringComparison.Ordinal))
                {
                    var rid = topic[(topic.IndexOf("?$rid=", StringComparison.Ordinal) + 6)..];
                    await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}").WithPayload("""{"ok":true}""").Build());
                }
                else if (topic.StartsWith("$iothub/twin/res/", StringComparison.Ordinal) && twinWaiters.TryRemove(deviceId, out var waiter))
                {
                    waiter.TrySetResult();
                }
            };
        }, cancellationToken);
        await Task.WhenAll(clients.Select(c => c.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce).Build(), cancellationToken)));

        var (commands, commandSeconds, p50, p99, failures) = await CommandsAsync(credentials, cancellationToken);
        var (reported, reportedSeconds) = await ReportedAsync(clients, credentials, twinWaiters, cancellationToken);
        await Task.WhenAll(clients.Select(c => c.DisconnectAsync()));
        return JsonSerializer.Serialize(new
        {
            settings.Devices,
            Concurrency = concurrency,
            Commands = commands,
            CommandFailures = failures,
            CommandsPerSecond = commands / commandSeconds,
            CommandP50Ms = p50,
            CommandP99Ms = p99,
            ReportedUpdates = reported,
            ReportedUpdatesPerSecond = reported / reportedSeconds,
        });
    }

    private async Task<(long, double, double, double, long)> CommandsAsync(List<(string DeviceId, string? Key)> credentials, CancellationToken cancellationToken)
    {
        using var http = RestClient.Create(api, token, settings.CaPath);
        var latencies = new ConcurrentBag<double>();
        long failures = 0;
        using var stop = new CancellationTokenSource(settings.Duration);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var device = credentials[Random.Shared.Next(credentials.Count)].DeviceId;
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"api/devices/{device}/commands/ping?api-version=2022-07-31",
                    new StringContent("""{"request":{"n":1},"responseTimeout":30}""", Encoding.UTF8, "application/json"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return (sorted.Length, seconds, sorted.Length == 0 ? 0 : sorted[sorted.Length / 2], sorted.Length == 0 ? 0 : sorted[(int)(sorted.Length * 0.99)], failures);
    }

    private async Task<(long, double)> ReportedAsync(
        IMqttClient[] clients, List<(string DeviceId, string? Key)> credentials, ConcurrentDictionary<string, TaskCompletionSource> waiters, CancellationToken cancellationToken)
    {
        long updates = 0;
        using var stop = new CancellationTokenSource(settings.Duration);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            var deviceId = credentials[i].DeviceId;
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters[deviceId] = waiter;
                await client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic($"$iothub/twin/PATCH/properties/reported/?$rid={++n}")
                    .WithPayload($$"""{"counter":{{n}},"status":"ok"}""").Build(), cancellationToken);
                try
                {
                    await waiter.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                    Interlocked.Increment(ref updates);
                }
                catch (TimeoutException)
                {
                    return;
                }
            }
        }));
        return (updates, watch.Elapsed.TotalSeconds);
    }
}
