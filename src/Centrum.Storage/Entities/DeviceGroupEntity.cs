namespace Centrum.Storage.Entities;

/// <summary>
/// A device group (IoT Central's <c>DeviceGroup</c>): a device query and the organizations it belongs to. Its members
/// are not stored; they are the devices the query matches when the group is used.
/// </summary>
public sealed class DeviceGroupEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public string? Description { get; set; }

    /// <summary>The query as the caller wrote it (<c>SELECT * FROM devices WHERE …</c>), parsed again when used.</summary>
    public required string Filter { get; set; }

    /// <summary>Organization ids, JSON array.</summary>
    public string Organizations { get; set; } = "[]";

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
