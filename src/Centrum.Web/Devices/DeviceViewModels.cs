using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Templates.Views;

namespace Centrum.Web.Devices;

/// <summary>What a caller may do on a device page: each is the permission the REST operation requires, within reach of the device.</summary>
public sealed record DeviceActions(bool ReadData, bool WriteProperties, bool EditCloudProperties, bool RunCommands, bool ReadConnectivity)
{
    /// <summary>Whether the caller may save <paramref name="property"/> (a cloud property's permission may differ from a writable one's).</summary>
    public bool MaySave(PropertyView property) => property.Access == PropertyAccess.Cloud ? EditCloudProperties : WriteProperties;
}

/// <summary>
/// The device page's header and About tab: the device as the registry holds it, its default views (null when it has no
/// template), whether it is connected now, and what the caller may do. Provisioning status is the device's own
/// (provisioned, approved); its credentials are not read here, they are shown only where connecting a device is.
/// </summary>
public sealed record DeviceOverview(Device Device, DeviceView? View, bool Connected, DeviceActions Actions);

/// <summary>Where a property stands (IoT Central's device view): a writable one is pending until the device acknowledges the version written.</summary>
public enum PropertyStatus
{
    /// <summary>Neither reported nor written.</summary>
    NotSet,

    /// <summary>A read-only property the device reported.</summary>
    Reported,

    /// <summary>Written; the device has not acknowledged that version yet.</summary>
    Pending,

    /// <summary>The device acknowledged the written version with a 2xx code.</summary>
    Accepted,

    /// <summary>The device acknowledged the written version with an error code.</summary>
    Failed,

    /// <summary>A cloud property: kept by the platform, nothing to acknowledge.</summary>
    Saved,
}

/// <summary>One declared property with its value (reported, or the acknowledged value) and, for writable ones, what was last written.</summary>
public sealed record PropertyState(
    PropertyView View, JsonNode? Value, JsonNode? DesiredValue, long? DesiredVersion, PropertyStatus Status, int? AckCode, string? AckDescription, DateTimeOffset? LastUpdated);

/// <summary>The last known value of a declared telemetry, or null when the device has not sent it.</summary>
public sealed record LastKnownValue(TelemetryView View, JsonNode? Value, DateTimeOffset? Timestamp);
