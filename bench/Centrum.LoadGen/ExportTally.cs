using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Centrum.LoadGen;

/// <summary>
/// What one receiver path saw: export messages counted by <c>(deviceId, sequenceNumber)</c>, the repeats
/// at-least-once delivery brings, messages that arrived after a later one of the same device (a broken per-device
/// order), and the lag from the publish time the device stamped into <c>telemetry.sentAt</c> to receipt.
/// Requests arrive on many threads; one lock is cheap at the rates a webhook sees.
/// </summary>
internal sealed class ExportTally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeviceStream> _devices = new(StringComparer.Ordinal);
    private readonly List<Delivery> _deliveries = new(64 * 1024);
    private long _requests;
    private long _distinct;
    private long _duplicates;
    private long _outOfOrder;
    private long _unreadable;
    private byte[]? _sample;

    public long Requests => Interlocked.Read(ref _requests);

    public long Distinct => Interlocked.Read(ref _distinct);

    /// <summary>The first body received: the reference replays it so its requests have the export's size.</summary>
    public byte[]? Sample => Volatile.Read(ref _sample);

    public void Record(ReadOnlySequence<byte> body, DateTimeOffset receivedAt)
    {
        string? deviceId = null;
        long sequence = -1;
        var sentAt = double.NaN;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.TryGetProperty("deviceId", out var device) && device.ValueKind == JsonValueKind.String)
            {
                deviceId = device.GetString();
            }

            if (root.TryGetProperty("sequenceNumber", out var number) && number.ValueKind == JsonValueKind.Number)
            {
                sequence = number.GetInt64();
            }

            if (root.TryGetProperty("telemetry", out var telemetry) && telemetry.ValueKind == JsonValueKind.Object
                && telemetry.TryGetProperty("sentAt", out var sent) && sent.ValueKind == JsonValueKind.Number)
            {
                sentAt = sent.GetDouble();
            }
        }
        catch (JsonException)
        {
        }

        var receivedMicros = Micros(receivedAt);
        lock (_gate)
        {
            _requests++;
            _sample ??= body.ToArray();
            if (deviceId is null || sequence < 0 || double.IsNaN(sentAt))
            {
                _unreadable++;
                return;
            }

            if (!_devices.TryGetValue(deviceId, out var stream))
            {
                stream = new DeviceStream();
                _devices.Add(deviceId, stream);
            }

            if (!stream.Seen.Add(sequence))
            {
                _duplicates++;
                return;
            }

            // A first sighting below the device's highest sequence so far: the export delivered a later message of
            // this device before this one. A resent batch only repeats sequences already seen, counted above.
            if (sequence < stream.Highest)
            {
                _outOfOrder++;
            }

            stream.Highest = Math.Max(stream.Highest, sequence);
            _distinct++;
            _deliveries.Add(new Delivery((long)(sentAt * 1000), receivedMicros));
        }
    }

    /// <summary>
    /// The lag of the messages published from <paramref name="from"/> on, and how many distinct messages arrived
    /// between <paramref name="from"/> and <paramref name="to"/>.
    /// </summary>
    public TallySummary Summarize(DateTimeOffset from, DateTimeOffset to)
    {
        var fromMicros = Micros(from);
        var toMicros = Micros(to);
        lock (_gate)
        {
            var lag = LatencyRecorder.Percentiles(_deliveries.Where(d => d.SentMicros >= fromMicros).Select(d => d.ReceivedMicros - d.SentMicros).ToArray());
            var published = _deliveries.Count(d => d.SentMicros >= fromMicros && d.SentMicros <= toMicros);
            var within = _deliveries.Count(d => d.ReceivedMicros >= fromMicros && d.ReceivedMicros <= toMicros);
            var carried = _deliveries.Count(d => d.SentMicros < fromMicros && d.ReceivedMicros >= fromMicros);
            var last = _deliveries.Count == 0 ? (DateTimeOffset?)null : DateTimeOffset.UnixEpoch.AddTicks(_deliveries.Max(d => d.ReceivedMicros) * 10);
            return new TallySummary(_requests, _distinct, _duplicates, _outOfOrder, _unreadable, published, within, carried, last, lag.P50, lag.P90, lag.P99, lag.Max);
        }
    }

    /// <summary>Per second from <paramref name="from"/>: distinct messages received, and their lag's median and maximum (ms).</summary>
    public IReadOnlyList<string> Timeline(DateTimeOffset from)
    {
        var fromMicros = Micros(from);
        lock (_gate)
        {
            return _deliveries
                .GroupBy(d => (long)Math.Floor((d.ReceivedMicros - fromMicros) / 1e6))
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    var lags = g.Select(d => d.ReceivedMicros - d.SentMicros).Order().ToArray();
                    return string.Create(CultureInfo.InvariantCulture, $"{g.Key},{lags.Length},{lags[lags.Length / 2] / 1000.0:F1},{lags[^1] / 1000.0:F1}");
                })
                .Prepend("second,received,lag_p50_ms,lag_max_ms")
                .ToList();
        }
    }

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private readonly record struct Delivery(long SentMicros, long ReceivedMicros);

    private sealed class DeviceStream
    {
        public HashSet<long> Seen { get; } = [];

        public long Highest { get; set; } = -1;
    }
}

/// <summary>
/// Counts and lag percentiles (ms) of one receiver path. <c>Published</c> counts the distinct messages sent in the
/// asked window, <c>Within</c> those received in it, <c>Carried</c> those sent before it and received in it.
/// </summary>
internal sealed record TallySummary(
    long Requests, long Distinct, long Duplicates, long OutOfOrder, long Unreadable, long Published, long Within, long Carried, DateTimeOffset? LastReceived,
    double LagP50Ms, double LagP90Ms, double LagP99Ms, double LagMaxMs);
