using System.Diagnostics;
using Centrum.Export.Destinations;
using Centrum.Export.Internal;
using Centrum.Telemetry;

namespace Centrum.Export;

/// <summary>
/// The export area's traces. Delivering a telemetry message is a span in the message's own trace: its parent is the
/// message's commit span, read back from the <c>traceparent</c> the telemetry store kept with it (W3C Trace Context,
/// section 3.2), so one message is one trace from the device's PUBLISH to the destination's acknowledgement, even
/// when the delivery happens after a restart.
/// </summary>
public static class ExportTracing
{
    public const string SourceName = "Centrum.Export";

    /// <summary>The span of one message's delivery to one destination, from hand-over to the destination's acknowledgement.</summary>
    public const string DeliverSpan = "export.deliver";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>One span per delivered message that was traced; null when nobody listens or nothing was traced.</summary>
    internal static List<Activity>? StartDeliveries(IReadOnlyList<SourceRecord> records, DeliveryBatch batch, string exportId, string destinationId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var traced = new Dictionary<long, ActivityContext>();
        foreach (var record in records)
        {
            if (TelemetryTracing.FromTraceParent(record.Message?.TraceParent) is { TraceId: var id } context && id != default)
            {
                traced[record.Sequence] = context;
            }
        }

        if (traced.Count == 0)
        {
            return null;
        }

        var spans = new List<Activity>();
        var previous = Activity.Current;
        foreach (var message in batch.Messages)
        {
            // A record a transform fans out into several messages is one delivery of that record.
            if (traced.Remove(message.Sequence, out var parent)
                && Source.StartActivity(DeliverSpan, ActivityKind.Producer, parent) is { } span)
            {
                span.SetTag("centrum.export.id", exportId);
                span.SetTag("centrum.export.destination_id", destinationId);
                span.SetTag("centrum.telemetry.sequence", message.Sequence);
                span.SetTag("centrum.export.batch_size", batch.Messages.Count);
                spans.Add(span);
            }

            // Each span's parent is its own message, never the span started before it.
            Activity.Current = previous;
        }

        return spans;
    }

    internal static void EndDeliveries(List<Activity>? spans, int attempts, Exception? failure)
    {
        if (spans is null)
        {
            return;
        }

        foreach (var span in spans)
        {
            span.SetTag("centrum.export.attempts", attempts);
            if (failure is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            }

            span.Stop();
        }
    }
}
