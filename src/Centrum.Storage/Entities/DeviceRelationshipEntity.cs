namespace Centrum.Storage.Entities;

/// <summary>
/// A relationship between an upstream (gateway, <see cref="SourceId"/>) and a downstream device (<see cref="TargetId"/>)
/// of one application (IoT Central REST API 2022-07-31, <c>DeviceRelationship</c>: "source (parent)", "target (child)").
/// </summary>
public sealed class DeviceRelationshipEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string SourceId { get; set; }

    public required string TargetId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
