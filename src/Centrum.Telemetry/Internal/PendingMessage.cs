using System.Diagnostics;

namespace Centrum.Telemetry.Internal;

/// <summary>
/// A message waiting for the writer, and the promise its publisher waits on. The body's fields and the properties'
/// JSON are prepared on the publisher's thread, so the single writer only appends.
/// </summary>
internal sealed class PendingMessage : TaskCompletionSource<StoreResult>
{
    public PendingMessage(TelemetryMessage message, TelemetryDeclaration? declaration)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Message = message;
        TraceContext = Activity.Current?.Context ?? default;
        PropertiesJson = BodyFields.PropertiesJson(message.Properties);
        BodyFields.TryRead(message, Fields, declaration);
        Size = Measure(message, PropertiesJson, Fields);
        Content = message.MessageId is null ? default
            : MessageContent.Hash(message.Body.Span, PropertiesJson, message.ModuleId, message.Component, message.CreationTime?.UtcDateTime);
    }

    /// <summary>The hash that tells a re-send of a stored message from a new message reusing its id.</summary>
    public UInt128 Content { get; }

    public TelemetryMessage Message { get; }

    /// <summary>The trace the message belongs to: the span current when it was submitted (the device's PUBLISH).</summary>
    public ActivityContext TraceContext { get; }

    public string PropertiesJson { get; }

    public List<BodyFields.Field> Fields { get; } = [];

    /// <summary>
    /// What the message holds in memory while queued, roughly: its body, its properties' and fields' text as UTF-16,
    /// and a fixed share for the objects around them. It bounds the queue by bytes as well as by count.
    /// </summary>
    public long Size { get; }

    private static long Measure(TelemetryMessage message, string propertiesJson, List<BodyFields.Field> fields)
    {
        var size = 512 + message.Body.Length + 2L * propertiesJson.Length;
        foreach (var f in fields)
        {
            size += 64 + 2L * (f.Name.Length + f.Json.Length);
        }

        return size;
    }
}
