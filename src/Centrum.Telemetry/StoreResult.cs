namespace Centrum.Telemetry;

/// <summary>The outcome of storing one message.</summary>
/// <param name="Sequence">The application-wide sequence number; for a duplicate, 0.</param>
/// <param name="Duplicate">The message id was already stored; nothing was written again.</param>
public readonly record struct StoreResult(long Sequence, bool Duplicate);
