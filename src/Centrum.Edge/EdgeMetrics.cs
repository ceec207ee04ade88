using System.Diagnostics.Metrics;

namespace Centrum.Edge;

/// <summary>The edge runtime's meter.</summary>
public sealed class EdgeMetrics
{
    public const string MeterName = "Centrum.Edge";

    private readonly Counter<long> _stored;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _removed;
    private readonly Counter<long> _expired;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _acknowledged;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _undeliverable;

    public EdgeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _stored = meter.CreateCounter<long>("centrum.edge.store.messages.stored", "{message}", "Messages committed to the store and forward, by endpoint.");
        _refused = meter.CreateCounter<long>("centrum.edge.store.messages.refused", "{message}", "Messages refused because the store held its budget of bytes.");
        _removed = meter.CreateCounter<long>("centrum.edge.store.messages.delivered", "{message}", "Messages removed after their endpoint took them.");
        _expired = meter.CreateCounter<long>("centrum.edge.store.messages.expired", "{message}", "Messages dropped after waiting longer than the time to live.");
        _batchSize = meter.CreateHistogram<int>("centrum.edge.store.commit.batch_size", "{write}", "Writes per commit of the store.");
        _commitDuration = meter.CreateHistogram<double>("centrum.edge.store.commit.duration", "s", "Time to write and sync one commit of the store.");
        _acknowledged = meter.CreateHistogram<double>(
            "centrum.edge.downstream.ack.duration", "s", "Time from a downstream device's PUBLISH to its PUBACK, which waits for the store's commit.");
        _forwarded = meter.CreateCounter<long>("centrum.edge.upstream.messages.forwarded", "{message}", "Messages the cloud acknowledged.");
        _undeliverable = meter.CreateCounter<long>(
            "centrum.edge.upstream.messages.undeliverable", "{message}", "Stored messages dropped because the cloud refused their sender through this edge.");
        meter.CreateObservableGauge("centrum.edge.store.messages", () => Held?.Invoke().Count ?? 0, "{message}", "Messages kept by the store and forward.");
        meter.CreateObservableGauge("centrum.edge.store.bytes", () => Held?.Invoke().Bytes ?? 0, "By", "Bytes of messages kept (what the store's budget bounds).");
    }

    /// <summary>What the store keeps now, read when the gauges are collected.</summary>
    internal Func<(long Count, long Bytes)>? Held { get; set; }

    internal void Committed(int writes, int stored, int refused, TimeSpan duration)
    {
        if (stored > 0)
        {
            _stored.Add(stored);
        }

        if (refused > 0)
        {
            _refused.Add(refused);
        }

        _batchSize.Record(writes);
        _commitDuration.Record(duration.TotalSeconds);
    }

    internal void Forwarded(int forwarded, int undeliverable)
    {
        _forwarded.Add(forwarded);
        if (undeliverable > 0)
        {
            _undeliverable.Add(undeliverable);
        }
    }

    internal void Acknowledged(TimeSpan elapsed) => _acknowledged.Record(elapsed.TotalSeconds);

    internal void Removed(long delivered, long expired)
    {
        if (delivered > 0)
        {
            _removed.Add(delivered);
        }

        if (expired > 0)
        {
            _expired.Add(expired);
        }
    }
}
