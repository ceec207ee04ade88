namespace Centrum.Storage.Entities;

/// <summary>A device template: a DTDL capability model (with its dependencies) plus IoT Central's template fields.</summary>
public sealed class DeviceTemplateEntity
{
    public required string ApplicationId { get; set; }

    /// <summary>The template's id (a DTMI), as IoT Central's <c>@id</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The root Interface's DTMI: devices announcing this model id are associated with the template.</summary>
    public required string ModelId { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    /// <summary><c>@type</c>, JSON array.</summary>
    public required string Types { get; set; }

    /// <summary>The capability model as stored (an Interface, or an array of Interfaces with the root first).</summary>
    public required string CapabilityModel { get; set; }

    /// <summary>DTMIs of every Interface the capability model defines, JSON array: later templates may reference them.</summary>
    public required string Interfaces { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
