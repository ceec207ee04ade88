using System.Diagnostics;

namespace Centrum.Telemetry;

/// <summary>
/// The telemetry area's traces. Each message keeps the trace context that was current when it was submitted (the
/// device's PUBLISH); its commit is a span in that trace, and the commit span's context is stored with the message as
/// a W3C <c>traceparent</c> (W3C Trace Context, section 3.2) so the export that delivers it later continues the same
/// trace, after a restart too.
/// </summary>
public static class TelemetryTracing
{
    public const string SourceName = "Centrum.Telemetry";

    /// <summary>The span of one message's durable commit; its parent is the span current at submit.</summary>
    public const string CommitSpan = "telemetry.commit";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The <c>traceparent</c> header form of a context: version 00, trace id, parent id and flags, lower-case hex
    /// (W3C Trace Context, section 3.2.2). Null when the context is not valid.
    /// </summary>
    public static string? ToTraceParent(ActivityContext context) =>
        context == default || context.TraceId == default
            ? null
            : $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}";

    /// <summary>Reads a stored <c>traceparent</c>; anything malformed reads as no context.</summary>
    public static ActivityContext FromTraceParent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// Starts a span under <paramref name="parent"/> without making it <see cref="Activity.Current"/>: the single
    /// writer starts one per message of a batch and must not chain them to each other.
    /// </summary>
    internal static Activity? StartDetached(string name, ActivityContext parent, DateTimeOffset startTime = default)
    {
        var previous = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime);
        Activity.Current = previous;
        return activity;
    }
}
