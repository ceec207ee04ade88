using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Formatter;

namespace Centrum.LoadGen;

/// <param name="JunkAddresses">Loopback source addresses the junk dials from (127.x.y.z), standing for that many hosts.</param>
/// <param name="JunkConcurrency">Junk connections in flight from each address.</param>
internal sealed record StormSettings(LoadSettings Load, IReadOnlyList<IPAddress> JunkAddresses, int JunkConcurrency);

/// <summary>
/// A connection storm: junk clients open TLS connections and send CONNECTs with wrong keys as fast as they are
/// answered, while real devices connect, publish one QoS 1 message and disconnect, over and over. The same real
/// cycle runs first without junk, as the baseline. Reports junk CONNECTs answered per second and the real devices'
/// connect latency with and without the storm.
/// </summary>
internal sealed class StormRun(StormSettings settings)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = DeviceFleet.Credentials(settings.Load.KeysFile, settings.Load.Devices);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.Load.CaPath));
        var baseline = await RealCyclesAsync(credentials, ca, settings.Load.Duration, cancellationToken);

        using var stop = new CancellationTokenSource();
        var junk = new JunkTally();
        var wrongKey = Convert.ToBase64String(new byte[32]);
        var victim = credentials[0].DeviceId;
        var workers = settings.JunkAddresses
            .SelectMany(address => Enumerable.Range(0, settings.JunkConcurrency).Select(_ => Task.Run(() => JunkLoopAsync(address, victim, wrongKey, ca, junk, stop.Token), CancellationToken.None)))
            .ToArray();
        // Let the storm build before measuring the devices in it.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var junkStarted = junk.Snapshot();
        var clock = Stopwatch.StartNew();
        var storm = await RealCyclesAsync(credentials, ca, settings.Load.Duration, cancellationToken);
        var elapsed = clock.Elapsed.TotalSeconds;
        var junkDuring = junk.Snapshot().Minus(junkStarted);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        return JsonSerializer.Serialize(new
        {
            junkHosts = settings.JunkAddresses.Count,
            junkConcurrencyPerHost = settings.JunkConcurrency,
            junkConnectsAnsweredPerSecond = Math.Round(junkDuring.Answered / elapsed),
            junkClosedAtAcceptPerSecond = Math.Round(junkDuring.ClosedEarly / elapsed),
            junkAnswerCodes = junkDuring.Codes,
            junkErrors = junkDuring.Errors,
            baseline = baseline.Summary(),
            duringStorm = storm.Summary(),
        }, Indented);
    }

    /// <summary>Each real device connects, publishes one QoS 1 message and disconnects, until the time is up.</summary>
    private async Task<RealTally> RealCyclesAsync(IReadOnlyList<(string DeviceId, string? Key)> credentials, X509Certificate2 ca, TimeSpan duration, CancellationToken cancellationToken)
    {
        var tally = new RealTally();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(credentials.Select(c => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                var token = SharedAccessSignature.Create($"{settings.Load.HubHost}/devices/{c.DeviceId}", Convert.FromBase64String(c.Key!), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
                var options = new MqttClientOptionsBuilder()
                    .WithTcpServer(settings.Load.Host, settings.Load.Port)
                    .WithProtocolVersion(MqttProtocolVersion.V311)
                    .WithClientId(c.DeviceId)
                    .WithCleanSession(true)
                    .WithCredentials($"{settings.Load.HubHost}/{c.DeviceId}/?api-version=2021-04-12", token)
                    .WithTimeout(TimeSpan.FromSeconds(30))
                    .WithTlsOptions(o => o.UseTls().WithTrustChain([ca]).WithCertificateValidationHandler(e => DeviceFleet.Trusted(e.Certificate, ca)))
                    .Build();
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var result = await client.ConnectAsync(options, cancellationToken);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        tally.Refused(result.ResultCode.ToString());
                        continue;
                    }

                    tally.Connected(Stopwatch.GetElapsedTime(started));
                    var sent = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{c.DeviceId}/messages/events/")
                        .WithPayload("{\"storm\":1}").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
                    tally.Published(sent.IsSuccess);
                    await client.DisconnectAsync(cancellationToken: cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    tally.Refused(ex.GetType().Name);
                }
            }
        }, cancellationToken)));
        return tally;
    }

    private async Task JunkLoopAsync(IPAddress from, string deviceId, string wrongKey, X509Certificate2 ca, JunkTally tally, CancellationToken stop)
    {
        var hub = settings.Load.HubHost;
        var target = new IPEndPoint(IPAddress.Parse(settings.Load.Host), settings.Load.Port);
        var password = SharedAccessSignature.Create($"{hub}/devices/{deviceId}", Convert.FromBase64String(wrongKey), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        var connect = MqttFrames.Connect(deviceId, $"{hub}/{deviceId}/?api-version=2021-04-12", password, cleanSession: true, keepAliveSeconds: 60);
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(target, stop);
                await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, certificate, _, _) => DeviceFleet.Trusted(certificate, ca));
                try
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = hub }, stop);
                }
                catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
                {
                    tally.Closed(); // closed at accept, before the handshake
                    continue;
                }

                await ssl.WriteAsync(connect, stop);
                var answer = new byte[4];
                var read = await ssl.ReadAtLeastAsync(answer, 4, throwOnEndOfStream: false, stop);
                if (read == 4 && answer[0] == 0x20)
                {
                    tally.Answered(answer[3]);
                }
                else
                {
                    tally.Closed();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                tally.Error();
            }
        }
    }

    private sealed class JunkTally
    {
        private readonly long[] _codes = new long[256];
        private long _answered;
        private long _closed;
        private long _errors;

        public void Answered(byte code)
        {
            Interlocked.Increment(ref _codes[code]);
            Interlocked.Increment(ref _answered);
        }

        public void Closed() => Interlocked.Increment(ref _closed);

        public void Error() => Interlocked.Increment(ref _errors);

        public JunkCounts Snapshot() => new(Volatile.Read(ref _answered), Volatile.Read(ref _closed), Volatile.Read(ref _errors),
            _codes.Select((c, i) => (i, Volatile.Read(ref _codes[i]))).Where(p => p.Item2 > 0).ToDictionary(p => $"0x{p.i:x2}", p => p.Item2));
    }

    private sealed record JunkCounts(long Answered, long ClosedEarly, long Errors, Dictionary<string, long> Codes)
    {
        public JunkCounts Minus(JunkCounts earlier) => new(Answered - earlier.Answered, ClosedEarly - earlier.ClosedEarly, Errors - earlier.Errors,
            Codes.ToDictionary(p => p.Key, p => p.Value - earlier.Codes.GetValueOrDefault(p.Key)));
    }

    private sealed class RealTally
    {
        private readonly List<long> _micros = [];
        private readonly Dictionary<string, int> _refusals = [];
        private int _published;
        private int _unacknowledged;

        public void Connected(TimeSpan latency)
        {
            lock (_micros)
            {
                _micros.Add((long)(latency.TotalMilliseconds * 1000));
            }
        }

        public void Refused(string reason)
        {
            lock (_refusals)
            {
                _refusals[reason] = _refusals.GetValueOrDefault(reason) + 1;
            }
        }

        public void Published(bool acknowledged)
        {
            if (acknowledged)
            {
                Interlocked.Increment(ref _published);
            }
            else
            {
                Interlocked.Increment(ref _unacknowledged);
            }
        }

        public object Summary()
        {
            var (count, p50, p90, _, p99, max) = LatencyRecorder.Percentiles([.. _micros]);
            return new { connects = count, refusals = _refusals, published = _published, unacknowledged = _unacknowledged, connectP50Ms = p50, connectP90Ms = p90, connectP99Ms = p99, connectMaxMs = max };
        }
    }
}
