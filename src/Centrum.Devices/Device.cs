namespace Centrum.Devices;

/// <summary>A device as the registry holds it.</summary>
public sealed record Device(
    string Id,
    string ETag,
    string? DisplayName,
    string? Template,
    bool Enabled,
    bool Provisioned,
    bool Simulated,
    IReadOnlyList<string> Organizations,
    string? ModelId,
    DateTimeOffset? LastConnectTime,
    DateTimeOffset? LastDisconnectTime);

/// <summary>The writable part of a device (IoT Central's <c>Device</c> minus read-only fields).</summary>
public sealed record DeviceWrite(string? DisplayName, string? Template, bool Enabled, bool Simulated, IReadOnlyList<string> Organizations);

public sealed record DeviceKeys(string PrimaryKey, string SecondaryKey);

/// <summary>What the gateway needs to authenticate a device.</summary>
public sealed record DeviceAuthentication(string Id, bool Enabled, DeviceKeys Keys);

public sealed record DevicePage(IReadOnlyList<Device> Devices, string? ContinueAfter);

public enum DeviceWriteOutcome
{
    Created,
    Replaced,
    Updated,
    NotFound,
    ETagMismatch,
}
