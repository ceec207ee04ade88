namespace Centrum.Telemetry;

/// <summary>The store could not take the message; it was not acknowledged and may be re-sent.</summary>
public sealed class TelemetryStoreException(string message, Exception? inner = null) : Exception(message, inner);
