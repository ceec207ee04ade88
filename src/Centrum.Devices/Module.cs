namespace Centrum.Devices;

/// <summary>
/// A module identity of an IoT Edge device as IoT Hub's registry describes it ("Modules - Get Identity"): the device it
/// belongs to, its generation id (new each time the module is created again), its etag, who manages it, and its keys.
/// </summary>
public sealed record ModuleIdentity(
    string DeviceId, string Id, string GenerationId, string ETag, string? ManagedBy, string AuthenticationType, DeviceKeys Keys, DateTimeOffset CreatedAt,
    string? PrimaryThumbprint = null, string? SecondaryThumbprint = null);

/// <summary>
/// What a create or update of a module sets: who manages it, and its keys. Null keys keep the module's keys (a new module
/// gets generated ones); <see cref="AuthenticationType"/> null keeps <c>sas</c>; <c>selfSigned</c> needs
/// <see cref="PrimaryThumbprint"/> (IoT Hub REST reference, "Modules - Create Or Update Identity", <c>x509Thumbprint</c>).
/// </summary>
public sealed record ModuleWrite(string? ManagedBy, string? AuthenticationType, DeviceKeys? Keys, string? PrimaryThumbprint = null, string? SecondaryThumbprint = null);

/// <summary>What the gateway needs to authenticate a module's connection.</summary>
public sealed record ModuleAuthentication(
    string DeviceId, string ModuleId, bool DeviceEnabled, bool DeviceApproved, string AuthenticationType, DeviceKeys Keys,
    string? PrimaryThumbprint = null, string? SecondaryThumbprint = null);
