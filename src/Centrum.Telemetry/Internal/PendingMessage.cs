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
        PropertiesJson = BodyFields.PropertiesJson(message.Properties);
        BodyFields.TryRead(message, Fields, declaration);
        Content = message.MessageId is null ? default
            : MessageContent.Hash(message.Body.Span, PropertiesJson, message.ModuleId, message.Component, message.CreationTime?.UtcDateTime);
    }

    /// <summary>The hash that tells a re-send of a stored message from a new message reusing its id.</summary>
    public UInt128 Content { get; }

    public TelemetryMessage Message { get; }

    public string PropertiesJson { get; }

    public List<BodyFields.Field> Fields { get; } = [];
}
