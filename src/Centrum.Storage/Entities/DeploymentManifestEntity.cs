namespace Centrum.Storage.Entities;

/// <summary>
/// An IoT Edge deployment manifest of an application (IoT Central REST API 2022-10-31-preview, <c>DeploymentManifest</c>):
/// its display name, the manifest itself (<c>modulesContent</c>, kept as JSON text), the organization it belongs to and an
/// etag that changes on every write.
/// </summary>
public sealed class DeploymentManifestEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The manifest's <c>data</c> object as JSON text.</summary>
    public required string Data { get; set; }

    /// <summary>JSON array of organization ids; the preview API allows exactly one, or none for the whole application.</summary>
    public string Organizations { get; set; } = "[]";

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
