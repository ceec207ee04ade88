namespace Centrum.Storage.Entities;

/// <summary>
/// The outbox of device events other than telemetry: written in the same transaction as the change it records, so
/// the log and the state never disagree. Its id is the event's sequence.
/// </summary>
public sealed class DeviceEventEntity
{
    public long Id { get; set; }

    public required string ApplicationId { get; set; }

    public required string DeviceId { get; set; }

    public string? ModuleId { get; set; }

    public required string Kind { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>The event's data as JSON (a reported patch with its version, a command and its answer, …).</summary>
    public string? Data { get; set; }
}
