namespace Centrum.Storage.Entities;

/// <summary>A data export destination (IoT Central's <c>Destination</c>).</summary>
public sealed class DataExportDestinationEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The discriminator, e.g. <c>webhook@v1</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The whole definition as JSON, encrypted: it holds connection strings, client secrets and tokens.</summary>
    public required string DefinitionProtected { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
