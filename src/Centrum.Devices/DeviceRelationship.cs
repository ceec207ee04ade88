namespace Centrum.Devices;

/// <summary>
/// IoT Central's <c>DeviceRelationship</c> (REST API 2022-07-31): <see cref="Source"/> is the upstream (parent, gateway)
/// device, <see cref="Target"/> the downstream (child) device.
/// </summary>
public sealed record DeviceRelationship(string Id, string Source, string Target);

/// <summary>One page of a device's relationships; <see cref="ContinueAfter"/> is the last id when more follow.</summary>
public sealed record DeviceRelationshipPage(IReadOnlyList<DeviceRelationship> Relationships, string? ContinueAfter);
