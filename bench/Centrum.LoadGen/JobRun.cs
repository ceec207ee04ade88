using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.LoadGen;

internal sealed record JobSettings(LoadSettings Load, string Api, string Token, int TelemetryDevices, int? ServerPid, TimeSpan JobTimeout);

/// <summary>
/// Jobs over a connected fleet (IoT Central REST API 2022-07-31, Jobs): every device answers the <c>reboot</c>
/// command at once and acknowledges writable properties with the Plug and Play acknowledgement
/// (<c>{"fanSpeed":{"value":…,"ac":200,"av":&lt;desired $version&gt;,"ad":"applied"}}</c>). A share of the devices
/// sends paced QoS 1 telemetry throughout. The run measures telemetry alone, then a command job over a group of all
/// devices, then a property job over the same group, then telemetry alone again: each job's time to complete and
/// devices per second, the server's resident memory (sampled from /proc), and the telemetry rate and latency in each
/// phase.
/// </summary>
internal sealed class JobRun(JobSettings settings)
{
    public const string Template = "dtmi:com:example:BenchFan;1";
    private const string Group = "bench-fans";

    private readonly ConcurrentDictionary<string, int> _invocations = new();
    private readonly ConcurrentDictionary<string, int> _acknowledgements = new();
    private readonly Phase[] _phases = [new("telemetry alone (before)"), new("command job"), new("property job"), new("telemetry alone (after)")];
    private volatile int _phase;

    /// <summary>The bench template: a writable property and a command, what the two jobs act on.</summary>
    public static async Task PutTemplateAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var body = $$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Bench fan","capabilityModel":{"@id":"{{{Template}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
               {"@type":"Telemetry","name":"temperature","schema":"double"},
               {"@type":"Property","name":"fanSpeed","schema":"integer","writable":true},
               {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"}}]}}
            """;
        using var response = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Template)}?api-version=2022-07-31",
            new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var load = settings.Load;
        using var http = RestClient.Create(settings.Api, settings.Token, load.CaPath);
        http.Timeout = TimeSpan.FromMinutes(2);
        var credentials = DeviceFleet.Credentials(load.KeysFile, load.Devices);
        var connectWatch = Stopwatch.StartNew();
        var clients = await DeviceFleet.ConnectAsync(load, credentials, Behave, cancellationToken);
        // Fifty SUBSCRIBEs in flight, as for the handshakes: ten thousand at once only queue behind each other.
        using (var gate = new SemaphoreSlim(50))
        {
            await Task.WhenAll(clients.Select(async c =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    await c.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce)
                        .WithTopicFilter("$iothub/twin/PATCH/properties/desired/#", MqttQualityOfServiceLevel.AtMostOnce)
                        .WithTopicFilter("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce).Build(), cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        await PutGroupAsync(http, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var memory = Task.Run(() => SampleMemoryAsync(stop.Token), CancellationToken.None);
        var telemetry = StartTelemetry(clients, credentials, stop.Token);

        await Task.Delay(load.Duration, cancellationToken);
        Enter(1);
        var command = await RunJobAsync(http, "bench-reboot", new JsonObject
        {
            ["type"] = "command", ["target"] = Template, ["path"] = "reboot", ["value"] = 0,
        }, cancellationToken);
        Enter(2);
        var property = await RunJobAsync(http, "bench-fan-speed", new JsonObject
        {
            ["type"] = "property", ["target"] = Template, ["path"] = "fanSpeed", ["value"] = 3,
        }, cancellationToken);
        Enter(3);
        await Task.Delay(load.Duration, cancellationToken);
        _phases[3].End();
        await stop.CancelAsync();
        await Task.WhenAll(telemetry);
        await memory;
        var peak = ReadStatus("VmHWM");

        await Task.WhenAll(clients.Select(c => c.DisconnectAsync()));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var report = new
        {
            load.Devices,
            settings.TelemetryDevices,
            TelemetryTargetRate = load.Rate,
            ConnectSeconds = connectSeconds,
            CommandJob = command,
            DevicesCalledOnce = _invocations.Count(i => i.Value == 1),
            DevicesCalledMoreThanOnce = _invocations.Count(i => i.Value > 1),
            PropertyJob = property,
            DevicesAcknowledged = _acknowledgements.Count,
            ServerPeakRssMb = peak / 1024.0,
            Phases = _phases.Select(p => p.Summary()).ToArray(),
        };
        Console.Error.WriteLine(Table(report.CommandJob, report.PropertyJob, report.ServerPeakRssMb));
        return JsonSerializer.Serialize(report);
    }

    private string Table(JobFigures command, JobFigures property, double peakMb)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{"phase",-26} {"seconds",8} {"devices/s",10} {"completed",9} {"failed",6} {"rss max MB",10} {"telemetry msg/s",15} {"p50 ms",7} {"p99 ms",7}");
        for (var i = 0; i < _phases.Length; i++)
        {
            var p = _phases[i].Summary();
            var job = i switch { 1 => command, 2 => property, _ => null };
            text.AppendLine(c, $"{p.Name,-26} {p.Seconds,8:F1} {(job is null ? "" : job.DevicesPerSecond.ToString("F0", c)),10} {(job is null ? "" : job.Completed.ToString(c)),9} {(job is null ? "" : job.Failed.ToString(c)),6} {p.RssMaxMb,10:F0} {p.MessagesPerSecond,15:F0} {p.P50Ms,7:F1} {p.P99Ms,7:F1}");
        }

        text.Append(c, $"server RSS peak (VmHWM) {peakMb:F0} MB");
        return text.ToString();
    }

    private void Behave(IMqttClient client, string deviceId)
    {
        var rid = 0;
        client.ApplicationMessageReceivedAsync += async e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (topic.StartsWith("$iothub/methods/POST/", StringComparison.Ordinal))
            {
                _invocations.AddOrUpdate(deviceId, 1, (_, n) => n + 1);
                var requestId = topic[(topic.IndexOf("?$rid=", StringComparison.Ordinal) + 6)..];
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={requestId}").WithPayload("""{"rebooting":true}""").Build());
            }
            else if (topic.StartsWith("$iothub/twin/PATCH/properties/desired/", StringComparison.Ordinal))
            {
                var desired = JsonNode.Parse(e.ApplicationMessage.ConvertPayloadToString())!.AsObject();
                var version = (long)desired["$version"]!;
                var patch = new JsonObject();
                foreach (var (name, value) in desired.Where(p => !p.Key.StartsWith('$')))
                {
                    patch[name] = new JsonObject { ["value"] = value?.DeepClone(), ["ac"] = 200, ["av"] = version, ["ad"] = "applied" };
                }

                _acknowledgements.AddOrUpdate(deviceId, 1, (_, n) => n + 1);
                await client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic($"$iothub/twin/PATCH/properties/reported/?$rid={Interlocked.Increment(ref rid)}")
                    .WithPayload(patch.ToJsonString()).Build());
            }
        };
    }

    /// <summary>Ends the running phase and starts the next: telemetry acknowledged from now on counts for it.</summary>
    private void Enter(int phase)
    {
        _phases[_phase].End();
        _phases[phase].Start();
        _phase = phase;
    }

    private static async Task PutGroupAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["displayName"] = "Bench fans", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{Template}\"" };
        using var response = await http.PutAsync($"api/deviceGroups/{Group}?api-version=2022-07-31", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Starts a job over the group and polls it until it ends: the time is from the PUT to the first read that finds it ended.</summary>
    private async Task<JobFigures> RunJobAsync(HttpClient http, string id, JsonObject data, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["displayName"] = id, ["group"] = Group, ["data"] = new JsonArray(data), ["connectionTimeout"] = 60 };
        var watch = Stopwatch.StartNew();
        using (var put = await http.PutAsync($"api/jobs/{id}?api-version=2022-07-31", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken))
        {
            if (!put.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"PUT job {id}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        JsonObject job;
        var deadline = watch.Elapsed + settings.JobTimeout;
        while (true)
        {
            job = (await http.GetFromJsonAsync<JsonObject>($"api/jobs/{id}?api-version=2022-07-31", cancellationToken))!;
            if ((string?)job["status"] is "complete" or "cancelled" or "failed" || watch.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(250, cancellationToken);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var progress = job["progress"]!;
        var total = (int)progress["total"]!;
        return new JobFigures(id, (string)job["status"]!, seconds, total, (int)progress["completed"]!, (int)progress["failed"]!, total / seconds);
    }

    private Task[] StartTelemetry(IMqttClient[] clients, List<(string DeviceId, string? Key)> credentials, CancellationToken stop)
    {
        var count = Math.Min(settings.TelemetryDevices, clients.Length);
        var rate = settings.Load.Rate;
        var interval = rate > 0 ? TimeSpan.FromSeconds((double)count / rate) : TimeSpan.Zero;
        _phases[0].Start();
        return Enumerable.Range(0, count).Select(i => Task.Run(() => TelemetryLoopAsync(clients[i], credentials[i].DeviceId, interval, stop), CancellationToken.None)).ToArray();
    }

    private async Task TelemetryLoopAsync(IMqttClient client, string deviceId, TimeSpan interval, CancellationToken stop)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
            .WithPayload("""{"temperature":21.5}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var next = Stopwatch.GetTimestamp() + (long)(Random.Shared.NextDouble() * interval.TotalSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested)
        {
            if (interval > TimeSpan.Zero)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
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
            }

            var phase = _phases[_phase];
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await client.PublishAsync(message, CancellationToken.None);
                if (result.IsSuccess)
                {
                    phase.Acknowledged((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private async Task SampleMemoryAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            _phases[_phase].Rss(ReadStatus("VmRSS"));
            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in kB (proc(5)); 0 without a server pid.</summary>
    private long ReadStatus(string field)
    {
        if (settings.ServerPid is not { } pid)
        {
            return 0;
        }

        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private sealed class Phase(string name)
    {
        private readonly ConcurrentBag<long> _latencies = [];
        private long _started;
        private long _ended;
        private long _rssMaxKb;

        public void Start() => _started = Stopwatch.GetTimestamp();

        public void End() => _ended = Stopwatch.GetTimestamp();

        public void Acknowledged(long micros) => _latencies.Add(micros);

        public void Rss(long kb)
        {
            if (kb > _rssMaxKb)
            {
                _rssMaxKb = kb;
            }
        }

        public PhaseFigures Summary()
        {
            var end = _ended != 0 ? _ended : Stopwatch.GetTimestamp();
            var seconds = _started == 0 ? 0 : Stopwatch.GetElapsedTime(_started, end).TotalSeconds;
            var (count, p50, _, _, p99, _) = LatencyRecorder.Percentiles([.. _latencies]);
            return new PhaseFigures(name, seconds, count, seconds > 0 ? count / seconds : 0, p50, p99, _rssMaxKb / 1024.0);
        }
    }
}

internal sealed record JobFigures(string Id, string Status, double Seconds, int Total, int Completed, int Failed, double DevicesPerSecond);

internal sealed record PhaseFigures(string Name, double Seconds, long Messages, double MessagesPerSecond, double P50Ms, double P99Ms, double RssMaxMb);
