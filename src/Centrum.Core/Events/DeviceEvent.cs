using System.Text.Json.Nodes;

namespace Centrum.Events;

public enum DeviceEventKind
{
    TelemetryStored,
    ReportedPropertiesChanged,
    DesiredPropertiesChanged,
    CommandCalled,
    CommandAnswered,
    Connected,
    Disconnected,
    Created,
    Deleted,
    CloudToDeviceEnqueued,
    CloudPropertiesChanged,

    /// <summary>A device's lifecycle changed: <c>Data.changes</c> lists IoT Central's lifecycle message types.</summary>
    Updated,

    /// <summary>A device template was created, updated or deleted (<c>Data.change</c>); not tied to a device, so <c>DeviceId</c> is empty.</summary>
    TemplateChanged,

    /// <summary>An administrative change or sign-in was recorded in the audit log (<c>Data</c> holds the entry); <c>DeviceId</c> is empty.</summary>
    Audited,

    /// <summary>
    /// A device notified the end of a file upload (IoT Hub's "Device - Update File Upload Status"): <c>Data</c> holds the
    /// correlation id, container, blob name and the outcome the device reported.
    /// </summary>
    FileUploaded,
}

/// <summary>
/// Something that happened to a device. <see cref="Sequence"/> is the event's position in the durable log it came from
/// (the telemetry store's sequence for telemetry, the metadata store's event log otherwise), so a subscriber that
/// falls behind can catch up from storage.
/// </summary>
public sealed record DeviceEvent(
    DeviceEventKind Kind,
    string ApplicationId,
    string DeviceId,
    long Sequence,
    DateTimeOffset Time,
    JsonNode? Data = null,
    string? ModuleId = null,
    string? Component = null);
