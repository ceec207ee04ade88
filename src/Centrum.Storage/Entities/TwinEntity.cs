namespace Centrum.Storage.Entities;

/// <summary>A device's (or module's) twin: desired and reported documents with versions and per-property metadata.</summary>
public sealed class TwinEntity
{
    public required string ApplicationId { get; set; }

    public required string DeviceId { get; set; }

    /// <summary>Empty for the device's own twin.</summary>
    public string ModuleId { get; set; } = "";

    public string Desired { get; set; } = "{}";

    public long DesiredVersion { get; set; } = 1;

    /// <summary>Mirrors <see cref="Desired"/>: <c>$lastUpdated</c> and <c>$lastUpdatedVersion</c> per property.</summary>
    public string DesiredMetadata { get; set; } = "{}";

    public string Reported { get; set; } = "{}";

    public long ReportedVersion { get; set; } = 1;

    public string ReportedMetadata { get; set; } = "{}";

    /// <summary>IoT Central's cloud properties: values kept by the platform about the device, never sent to it.</summary>
    public string CloudProperties { get; set; } = "{}";

    public string CloudMetadata { get; set; } = "{}";
}
