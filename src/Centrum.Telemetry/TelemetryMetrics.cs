using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Centrum.Telemetry;

/// <summary>The telemetry area's meter.</summary>
public sealed class TelemetryMetrics
{
    public const string MeterName = "Centrum.Telemetry";

    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _failed;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _checkpointDuration;
    private readonly Counter<long> _rolled;
    private readonly Histogram<double> _rollDuration;
    private readonly ConcurrentDictionary<(string Application, long Width), double> _rollupLag = new();

    public TelemetryMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _stored = meter.CreateCounter<long>("centrum.telemetry.messages.stored", "{message}", "Messages durably committed to the time-series store.");
        _duplicates = meter.CreateCounter<long>("centrum.telemetry.messages.duplicate", "{message}", "Re-sent messages recognised by message id and not stored again.");
        _dropped = meter.CreateCounter<long>("centrum.telemetry.messages.dropped", "{message}", "QoS 0 messages dropped because the write queue was full.");
        _failed = meter.CreateCounter<long>("centrum.telemetry.messages.failed", "{message}", "Messages in batches whose commit failed (not acknowledged).");
        _batchSize = meter.CreateHistogram<int>("centrum.telemetry.commit.batch_size", "{message}", "Messages per commit.");
        _commitDuration = meter.CreateHistogram<double>("centrum.telemetry.commit.duration", "s", "Time to append and commit one batch.", advice: DurationAdvice);
        _checkpointDuration = meter.CreateHistogram<double>(
            "centrum.telemetry.checkpoint.duration", "s", "Time of one checkpoint the writer ran between batches, by reason (idle or bound).", advice: DurationAdvice);
        _rolled = meter.CreateCounter<long>("centrum.telemetry.rollup.values", "{value}", "Telemetry values summarized into rollup buckets, per bucket width.");
        _rollDuration = meter.CreateHistogram<double>("centrum.telemetry.rollup.duration", "s", "Time of one roller transaction.");
        meter.CreateObservableGauge("centrum.telemetry.rollup.lag", () => _rollupLag.Select(l => new Measurement<double>(
            l.Value, new KeyValuePair<string, object?>("centrum.application", l.Key.Application), new KeyValuePair<string, object?>("centrum.rollup.width", l.Key.Width))),
            "s", "How far the oldest value not rolled yet lies behind the newest closed bucket (0 when the roller is caught up); divide by the width for buckets.");
        meter.CreateObservableGauge("centrum.telemetry.queue.depth", () => QueueDepth?.Invoke() ?? 0, "{message}", "Messages waiting for the writer.");
    }

    /// <summary>Bucket bounds from a millisecond to ten seconds, so a p99 can be read from the exported histogram.</summary>
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    };

    internal Func<long>? QueueDepth { get; set; }

    internal void Committed(string applicationId, int stored, int duplicates, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("centrum.application", applicationId);
        _stored.Add(stored, tag);
        if (duplicates > 0)
        {
            _duplicates.Add(duplicates, tag);
        }

        _batchSize.Record(stored + duplicates, tag);
        _commitDuration.Record(duration.TotalSeconds, tag);
    }

    internal void Checkpointed(string applicationId, string reason, TimeSpan duration) => _checkpointDuration.Record(
        duration.TotalSeconds, new KeyValuePair<string, object?>("centrum.application", applicationId), new KeyValuePair<string, object?>("centrum.telemetry.checkpoint.reason", reason));

    internal void Rolled(string applicationId, long widthSeconds, long values, TimeSpan duration)
    {
        var tags = new TagList { { "centrum.application", applicationId }, { "centrum.rollup.width", widthSeconds } };
        _rolled.Add(values, tags);
        _rollDuration.Record(duration.TotalSeconds, tags);
    }

    internal void RollupLag(string applicationId, long widthSeconds, TimeSpan lag) => _rollupLag[(applicationId, widthSeconds)] = lag.TotalSeconds;

    internal void Dropped(string applicationId) => _dropped.Add(1, new KeyValuePair<string, object?>("centrum.application", applicationId));

    internal void BatchFailed(int count) => _failed.Add(count);
}
