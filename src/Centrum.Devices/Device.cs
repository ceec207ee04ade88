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
    DateTimeOffset? LastDisconnectTime,
    bool Approved = true,
    bool IotEdge = false);

/// <summary>
/// The writable part of a device (IoT Central's <c>Device</c> minus read-only fields). <see cref="Approved"/> null
/// leaves approval as it is: approved for a new device, unchanged for an existing one; <see cref="IotEdge"/> null
/// likewise leaves the device's kind as it is (a new device is not an IoT Edge device).
/// </summary>
public sealed record DeviceWrite(string? DisplayName, string? Template, bool Enabled, bool Simulated, IReadOnlyList<string> Organizations, bool? Approved = null, bool? IotEdge = null);

public sealed record DeviceKeys(string PrimaryKey, string SecondaryKey);

/// <summary>What the gateway and provisioning need to authenticate a device.</summary>
public sealed record DeviceAuthentication(
    string Id, bool Enabled, bool Approved, DeviceKeys Keys, string? AttestationType, string? X509PrimaryThumbprint, string? X509SecondaryThumbprint, string? EnrollmentGroupId);

/// <summary>A device's individual enrollment (IoT Central's <c>Attestation</c>).</summary>
public sealed record DeviceAttestation(string Type, DeviceKeys? SymmetricKey, string? X509PrimaryThumbprint, string? X509SecondaryThumbprint);

public sealed record DevicePage(IReadOnlyList<Device> Devices, string? ContinueAfter);
