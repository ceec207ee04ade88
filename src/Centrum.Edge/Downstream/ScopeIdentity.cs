namespace Centrum.Edge.Downstream;

/// <summary>
/// A device or module the edge may serve downstream, with the SAS keys it authenticates with, as the cloud's device
/// scope lists it (IoT Hub's <c>devicesAndModulesInTargetDeviceScope</c>: the edge device's modules and the devices
/// whose parent scope is the edge).
/// </summary>
public sealed record ScopeIdentity(string DeviceId, string? ModuleId, string PrimaryKey, string SecondaryKey, bool Enabled = true)
{
    /// <summary>The MQTT client id this identity connects with: <c>{deviceId}</c> or <c>{deviceId}/{moduleId}</c>.</summary>
    public string ClientId => ModuleId is null ? DeviceId : $"{DeviceId}/{ModuleId}";
}
