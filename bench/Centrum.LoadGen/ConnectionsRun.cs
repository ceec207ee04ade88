using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Centrum.Security;
using Microsoft.Diagnostics.NETCore.Client;

namespace Centrum.LoadGen;

/// <param name="Sources">Loopback addresses the devices dial from, round robin (a fleet comes from many addresses).</param>
/// <param name="Concurrency">Devices connecting at once (TCP, TLS, CONNECT, the three SUBSCRIBEs).</param>
/// <param name="ServerPid">The broker's process: its resident memory is read from /proc.</param>
/// <param name="DotNet">Whether the broker is a .NET process: then a full GC is forced (over its diagnostics IPC) before each reading.</param>
/// <param name="MetricsUrl">Prometheus endpoint of the broker, for its managed heap after that GC.</param>
internal sealed record ConnectionsSettings(LoadSettings Load, IReadOnlyList<IPAddress> Sources, int Concurrency, int ServerPid, bool DotNet, string? MetricsUrl, int KeepAliveSeconds, TimeSpan Hold);

/// <summary>
/// Memory per idle device connection and the time a fleet takes to connect at once. Each device is a raw MQTT 3.1.1
/// client over TLS (no TLS resumption: each device does its own full handshake): CONNECT with CleanSession=0 and its
/// SAS token, then, one after the other as the Azure IoT Node SDK does, SUBSCRIBEs to the twin responses, the desired
/// property patches and the direct methods. Then every device holds its connection, silent, while the broker's memory
/// is read; the delta over the reading before the storm, divided by the devices, is the memory per connection.
/// </summary>
internal sealed class ConnectionsRun(ConnectionsSettings settings)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly string[] NodeSdkTopics = ["$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#", "$iothub/methods/POST/#"];

    private readonly ConcurrentDictionary<string, bool> _trusted = new();

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = DeviceFleet.Credentials(settings.Load.KeysFile, settings.Load.Devices);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.Load.CaPath));
        var before = await ReadMemoryAsync(cancellationToken);

        var connected = new List<long>(credentials.Count);
        var subscribed = new List<long>(credentials.Count);
        var refusals = new ConcurrentDictionary<string, int>();
        var devices = new Device?[credentials.Count];
        var storm = Stopwatch.StartNew();
        var firstReady = 0.0;
        using (var gate = new SemaphoreSlim(settings.Concurrency))
        {
            await Task.WhenAll(credentials.Select((c, i) => Task.Run(async () =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    devices[i] = await ConnectAsync(c.DeviceId, c.Key, settings.Sources[i % settings.Sources.Count], ca, refusals, connected, subscribed, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken)));
            firstReady = storm.Elapsed.TotalSeconds;
        }

        var held = devices.Count(d => d is not null);
        var during = await ReadMemoryAsync(cancellationToken);
        // Time to look at the broker with the fleet connected (a heap dump, a profiler), when asked for.
        await Task.Delay(settings.Hold, cancellationToken);
        var (_, connectP50, _, _, connectP99, connectMax) = LatencyRecorder.Percentiles([.. connected]);
        var (_, readyP50, _, _, readyP99, _) = LatencyRecorder.Percentiles([.. subscribed]);

        foreach (var device in devices)
        {
            if (device is not null)
            {
                await device.DisposeAsync();
            }
        }

        return JsonSerializer.Serialize(new
        {
            label = settings.Load.Label,
            devices = credentials.Count,
            held,
            concurrency = settings.Concurrency,
            sourceAddresses = settings.Sources.Count,
            stormSeconds = Math.Round(firstReady, 2),
            connectsPerSecond = Math.Round(held / firstReady),
            connectP50Ms = connectP50,
            connectP99Ms = connectP99,
            connectMaxMs = connectMax,
            subscribedP50Ms = readyP50,
            subscribedP99Ms = readyP99,
            refusals,
            memoryBefore = before,
            memoryHeld = during,
            rssPerConnectionKb = held == 0 ? 0 : Math.Round((during.RssKb - before.RssKb) / (double)held, 1),
            heapPerConnectionKb = PerConnection(held, before.HeapBytes, during.HeapBytes),
            gcCommittedPerConnectionKb = PerConnection(held, before.GcCommittedBytes, during.GcCommittedBytes),
        }, Indented);
    }

    /// <summary>One device from TCP connect to its third SUBACK; a CONNACK 0x03 (throttled) is retried after a pause, as the SDKs do.</summary>
    private async Task<Device?> ConnectAsync(
        string deviceId, string? key, IPAddress source, X509Certificate2 ca, ConcurrentDictionary<string, int> refusals,
        List<long> connected, List<long> subscribed, CancellationToken cancellationToken)
    {
        var hub = settings.Load.HubHost;
        var target = new IPEndPoint(IPAddress.Parse(settings.Load.Host), settings.Load.Port);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            SslStream? ssl = null;
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(target, cancellationToken);
                ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), false, (_, certificate, _, _) => Trusted(certificate, ca));
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = hub, AllowTlsResume = false }, cancellationToken);
                var password = key is null ? null
                    : SharedAccessSignature.Create($"{hub}/devices/{deviceId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
                await ssl.WriteAsync(MqttFrames.Connect(deviceId, $"{hub}/{deviceId}/?api-version=2021-04-12", password, cleanSession: false, settings.KeepAliveSeconds), cancellationToken);
                var answer = new byte[5];
                if (await ssl.ReadAtLeastAsync(answer.AsMemory(0, 4), 4, throwOnEndOfStream: false, cancellationToken) != 4 || answer[0] != 0x20)
                {
                    throw new IOException("no CONNACK");
                }

                if (answer[3] != 0)
                {
                    refusals.AddOrUpdate($"0x{answer[3]:x2}", 1, (_, n) => n + 1);
                    await ssl.DisposeAsync();
                    if (answer[3] == 0x03)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 1500)), cancellationToken);
                        continue;
                    }

                    return null;
                }

                Record(connected, started);
                for (var t = 0; t < NodeSdkTopics.Length; t++)
                {
                    await ssl.WriteAsync(MqttFrames.Subscribe((ushort)(t + 1), NodeSdkTopics[t]), cancellationToken);
                    if (await ssl.ReadAtLeastAsync(answer, 5, throwOnEndOfStream: false, cancellationToken) != 5 || answer[0] != 0x90 || answer[4] == 0x80)
                    {
                        throw new IOException("no SUBACK for " + NodeSdkTopics[t]);
                    }
                }

                Record(subscribed, started);
                return new Device(ssl);
            }
            catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                refusals.AddOrUpdate(ex.GetType().Name + ": " + ex.Message, 1, (_, n) => n + 1);
                if (ssl is not null)
                {
                    await ssl.DisposeAsync();
                }
                else
                {
                    socket.Dispose();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 1500)), cancellationToken);
            }
        }

        return null;
    }

    private static double? PerConnection(int held, long? before, long? during) =>
        held == 0 || before is null || during is null ? null : Math.Round((during.Value - before.Value) / 1024.0 / held, 1);

    private static void Record(List<long> latencies, long started)
    {
        var micros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        lock (latencies)
        {
            latencies.Add(micros);
        }
    }

    /// <summary>The broker presents one certificate to every device: its chain is built once, not per handshake.</summary>
    private bool Trusted(X509Certificate? certificate, X509Certificate2 ca) =>
        certificate is not null && _trusted.GetOrAdd(certificate.GetCertHashString(), _ => DeviceFleet.Trusted(certificate, ca));

    /// <summary>
    /// The broker's resident set (VmRSS) and, for a .NET broker, its managed heap, each read after a forced full
    /// collection and a settling pause so garbage of the storm is not counted as held.
    /// </summary>
    private async Task<MemoryReading> ReadMemoryAsync(CancellationToken cancellationToken)
    {
        (long? Heap, long? Committed) gc = (null, null);
        if (settings.DotNet)
        {
            await ForceGcAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            await ForceGcAsync(cancellationToken);
            gc = await ManagedHeapAsync(cancellationToken);
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        }

        var status = await File.ReadAllLinesAsync($"/proc/{settings.ServerPid}/status", cancellationToken);
        var rss = long.Parse(status.First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return new MemoryReading(rss, gc.Heap, gc.Committed);
    }

    /// <summary>
    /// An EventPipe session on the runtime provider with the GCHeapCollect keyword (0x800000) makes the runtime run an
    /// induced, blocking full collection, as dotnet-gcdump does; the session ends once the GC's end event has passed.
    /// </summary>
    private async Task ForceGcAsync(CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(settings.ServerPid);
        using var session = client.StartEventPipeSession(new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x800000 | 0x1), requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await session.StopAsync(cancellationToken);
        await drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// The heap size the runtime reports after its last collection (System.Runtime's dotnet.gc.last_collection.heap.size,
    /// all generations) and the memory the GC had committed then (dotnet.gc.last_collection.memory.committed_size).
    /// </summary>
    private async Task<(long? Heap, long? Committed)> ManagedHeapAsync(CancellationToken cancellationToken)
    {
        if (settings.MetricsUrl is null)
        {
            return (null, null);
        }

        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(settings.MetricsUrl, cancellationToken)).Split('\n');
        long? Sum(string metric)
        {
            var values = lines.Where(l => l.StartsWith(metric, StringComparison.Ordinal)).Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList();
            return values.Count == 0 ? null : (long)values.Sum();
        }

        return (Sum("dotnet_gc_last_collection_heap_size_bytes"), Sum("dotnet_gc_last_collection_memory_committed_size_bytes"));
    }

    private sealed record MemoryReading(long RssKb, long? HeapBytes, long? GcCommittedBytes);

    /// <summary>A connected device, silent until it disconnects.</summary>
    private sealed class Device(SslStream ssl) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await ssl.WriteAsync(new byte[] { 0xE0, 0 });
            }
            catch (IOException)
            {
            }

            await ssl.DisposeAsync();
        }
    }
}
