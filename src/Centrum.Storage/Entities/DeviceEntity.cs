namespace Centrum.Storage.Entities;

public sealed class DeviceEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public string? DisplayName { get; set; }

    public string? TemplateId { get; set; }

    public bool Enabled { get; set; } = true;

    public bool Simulated { get; set; }

    public bool Provisioned { get; set; }

    /// <summary>Organization ids, JSON array.</summary>
    public string Organizations { get; set; } = "[]";

    /// <summary>Primary symmetric key, encrypted with Data Protection.</summary>
    public required string PrimaryKeyProtected { get; set; }

    /// <summary>Secondary symmetric key, encrypted with Data Protection.</summary>
    public required string SecondaryKeyProtected { get; set; }

    /// <summary>
    /// The device's individual enrollment: <c>symmetricKey</c> (its keys), <c>x509</c> (its certificate thumbprints), or
    /// null when it provisions only through an enrollment group.
    /// </summary>
    public string? AttestationType { get; set; } = "symmetricKey";

    /// <summary>SHA-1 thumbprints (hex, upper case) of the device's registered certificates.</summary>
    public string? X509PrimaryThumbprint { get; set; }

    public string? X509SecondaryThumbprint { get; set; }

    /// <summary>
    /// An IoT Edge device (IoT Central's device <c>type</c> <c>iotEdge</c>, IoT Hub's <c>capabilities.iotEdge</c>): it
    /// holds module identities.
    /// </summary>
    public bool IotEdge { get; set; }

    /// <summary>
    /// IoT Hub's <c>generationId</c>: set when the identity is created, kept by every update, new when a device of the
    /// same id is created again (IoT Hub docs "Device identity properties"). An IoT Edge device's scope,
    /// <c>ms-azure-iot-edge://{id}-{generationId}</c>, is made from it.
    /// </summary>
    public string GenerationId { get; set; } = string.Empty;

    /// <summary>Whether the device may connect; false while it waits for an operator's approval.</summary>
    public bool Approved { get; set; } = true;

    /// <summary>The enrollment group it last provisioned through, if any.</summary>
    public string? EnrollmentGroupId { get; set; }

    /// <summary>The model id the device announced on its last CONNECT.</summary>
    public string? ModelId { get; set; }

    /// <summary>Changes on every write; the REST etag and the optimistic-concurrency token.</summary>
    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastConnectTime { get; set; }

    public DateTimeOffset? LastDisconnectTime { get; set; }
}
