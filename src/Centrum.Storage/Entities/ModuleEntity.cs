namespace Centrum.Storage.Entities;

/// <summary>
/// A module identity of an IoT Edge device (IoT Hub REST reference, "Modules - Create Or Update Identity"): its own
/// symmetric keys, a generation id that is new each time the module is created again, and an etag that changes on
/// every write.
/// </summary>
public sealed class ModuleEntity
{
    public required string ApplicationId { get; set; }

    public required string DeviceId { get; set; }

    public required string Id { get; set; }

    /// <summary>Set at creation and kept across updates; the Edge runtime derives the module's keys from it.</summary>
    public required string GenerationId { get; set; }

    /// <summary>Changes on every write; the registry's etag and the optimistic-concurrency token.</summary>
    public required string ETag { get; set; }

    /// <summary>Who manages the identity (<c>iotEdge</c> for modules of a deployment), as the creator set it.</summary>
    public string? ManagedBy { get; set; }

    /// <summary>
    /// <c>sas</c> (the module authenticates with its keys), <c>selfSigned</c> (with a TLS client certificate whose
    /// thumbprint is registered below) or <c>none</c>.
    /// </summary>
    public string AuthenticationType { get; set; } = "sas";

    /// <summary>SHA-1 or SHA-256 thumbprint (hex) of a <c>selfSigned</c> module's certificate.</summary>
    public string? X509PrimaryThumbprint { get; set; }

    /// <summary>The second accepted thumbprint, so a certificate can be rolled over without a gap.</summary>
    public string? X509SecondaryThumbprint { get; set; }

    /// <summary>Primary symmetric key, encrypted with Data Protection.</summary>
    public required string PrimaryKeyProtected { get; set; }

    /// <summary>Secondary symmetric key, encrypted with Data Protection.</summary>
    public required string SecondaryKeyProtected { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
