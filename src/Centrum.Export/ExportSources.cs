using Centrum.Events;

namespace Centrum.Export;

/// <summary>IoT Central's export sources and the durable log each one follows.</summary>
public static class ExportSources
{
    public const string Telemetry = "telemetry";
    public const string Properties = "properties";
    public const string DeviceLifecycle = "deviceLifecycle";
    public const string DeviceTemplateLifecycle = "deviceTemplateLifecycle";
    public const string DeviceConnectivity = "deviceConnectivity";
    public const string Audit = "audit";

    public static readonly IReadOnlyList<string> All = [Telemetry, Properties, DeviceLifecycle, DeviceTemplateLifecycle, DeviceConnectivity, Audit];

    /// <summary>The event-log kinds a source exports; telemetry follows the telemetry store instead.</summary>
    public static IReadOnlyList<string> EventKinds(string source) => source switch
    {
        Properties => [nameof(DeviceEventKind.ReportedPropertiesChanged), nameof(DeviceEventKind.DesiredPropertiesChanged), nameof(DeviceEventKind.CloudPropertiesChanged)],
        DeviceLifecycle => [nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Updated), nameof(DeviceEventKind.Deleted)],
        DeviceTemplateLifecycle => [nameof(DeviceEventKind.TemplateChanged)],
        DeviceConnectivity => [nameof(DeviceEventKind.Connected), nameof(DeviceEventKind.Disconnected)],
        Audit => [nameof(DeviceEventKind.Audited)],
        _ => [],
    };

    /// <summary>Whether a live event may mean new data for the source (used to wake idle exports).</summary>
    public static bool Concerns(string source, DeviceEventKind kind) =>
        source == Telemetry ? kind == DeviceEventKind.TelemetryStored : EventKinds(source).Contains(kind.ToString());
}
