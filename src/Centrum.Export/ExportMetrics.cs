using System.Diagnostics.Metrics;

namespace Centrum.Export;

/// <summary>The export area's meter: what was delivered, what failed, and how far behind each delivery is.</summary>
public sealed class ExportMetrics
{
    public const string MeterName = "Centrum.Export";

    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failedBatches;
    private readonly Histogram<double> _lag;

    public ExportMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _delivered = meter.CreateCounter<long>("centrum.export.delivered", "{message}", "Messages a destination acknowledged.");
        _failedBatches = meter.CreateCounter<long>("centrum.export.failed", "{batch}", "Batch deliveries that failed and will be retried.");
        _lag = meter.CreateHistogram<double>("centrum.export.lag", "s", "Time from a record entering its log to its acknowledgement by the destination.");
    }

    internal void Delivered(string exportId, string destinationId, int count, double lagSeconds)
    {
        var tags = new KeyValuePair<string, object?>[] { new("export", exportId), new("destination", destinationId) };
        _delivered.Add(count, tags);
        _lag.Record(lagSeconds, tags);
    }

    internal void Failed(string exportId, string destinationId) =>
        _failedBatches.Add(1, new KeyValuePair<string, object?>("export", exportId), new KeyValuePair<string, object?>("destination", destinationId));
}
