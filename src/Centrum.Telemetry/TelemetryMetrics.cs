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

    public TelemetryMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _stored = meter.CreateCounter<long>("centrum.telemetry.messages.stored", "{message}", "Messages durably committed to the time-series store.");
        _duplicates = meter.CreateCounter<long>("centrum.telemetry.messages.duplicate", "{message}", "Re-sent messages recognised by message id and not stored again.");
        _dropped = meter.CreateCounter<long>("centrum.telemetry.messages.dropped", "{message}", "QoS 0 messages dropped because the write queue was full.");
        _failed = meter.CreateCounter<long>("centrum.telemetry.messages.failed", "{message}", "Messages in batches whose commit failed (not acknowledged).");
        _batchSize = meter.CreateHistogram<int>("centrum.telemetry.commit.batch_size", "{message}", "Messages per commit.");
        _commitDuration = meter.CreateHistogram<double>("centrum.telemetry.commit.duration", "s", "Time to append and commit one batch.");
        meter.CreateObservableGauge("centrum.telemetry.queue.depth", () => QueueDepth?.Invoke() ?? 0, "{message}", "Messages waiting for the writer.");
    }

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

    internal void Dropped(string applicationId) => _dropped.Add(1, new KeyValuePair<string, object?>("centrum.application", applicationId));

    internal void BatchFailed(int count) => _failed.Add(count);
}
