using System.Diagnostics.Metrics;

namespace Centrum.Storage.Writing;

/// <summary>The metadata store's meter: how many writes share a commit, how long a commit takes, what failed.</summary>
public sealed class MetadataWriterMetrics
{
    public const string MeterName = "Centrum.Storage";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _failed;

    public MetadataWriterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>("centrum.storage.commit.batch_size", "{write}", "Metadata writes (twin updates, command records, sessions, connectivity, new devices) per group commit.");
        _commitDuration = meter.CreateHistogram<double>("centrum.storage.commit.duration", "s", "Time to save and commit one group of metadata writes.");
        _failed = meter.CreateCounter<long>("centrum.storage.writes.failed", "{write}", "Metadata writes whose commit failed (their callers were answered with an error).");
        meter.CreateObservableGauge("centrum.storage.queue.depth", () => QueueDepth?.Invoke() ?? 0, "{write}", "Metadata writes waiting for the writer.");
    }

    internal Func<int>? QueueDepth { get; set; }

    internal void Committed(int count, TimeSpan duration)
    {
        _batchSize.Record(count);
        _commitDuration.Record(duration.TotalSeconds);
    }

    internal void Failed(int count) => _failed.Add(count);
}
