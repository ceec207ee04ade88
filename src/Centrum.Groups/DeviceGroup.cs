using Centrum.Devices;

namespace Centrum.Groups;

/// <summary>A device group as the groups area holds it (IoT Central's <c>DeviceGroup</c>).</summary>
public sealed record DeviceGroup(string Id, string DisplayName, string Filter, string? Description, IReadOnlyList<string> Organizations, string ETag);

/// <summary>The writable part of a device group; display name and filter are required when it is written.</summary>
public sealed record DeviceGroupWrite(string? DisplayName, string? Filter, string? Description, IReadOnlyList<string> Organizations);

public sealed record DeviceGroupPage(IReadOnlyList<DeviceGroup> Groups, string? ContinueAfter);

/// <summary>
/// A page of a group's members, in device id order. <see cref="ContinueAfter"/> is the device id to continue after, or
/// null when the group has no more members.
/// </summary>
public sealed record GroupMemberPage(IReadOnlyList<Device> Devices, string? ContinueAfter);
