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

    /// <summary>The model id the device announced on its last CONNECT.</summary>
    public string? ModelId { get; set; }

    /// <summary>Changes on every write; the REST etag and the optimistic-concurrency token.</summary>
    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastConnectTime { get; set; }

    public DateTimeOffset? LastDisconnectTime { get; set; }
}
