namespace Centrum.Storage.Entities;

/// <summary>An organization of an application (IoT Central's <c>Organization</c>): organizations form a tree through <see cref="Parent"/>.</summary>
public sealed class OrganizationEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public string? Parent { get; set; }

    public required string ETag { get; set; }
}
