namespace Centrum.Telemetry.Internal;

/// <summary>A message waiting for the writer, and the promise its publisher waits on.</summary>
internal sealed class PendingMessage(TelemetryMessage message)
    : TaskCompletionSource<StoreResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public TelemetryMessage Message { get; } = message;
}
