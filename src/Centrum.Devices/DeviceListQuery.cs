namespace Centrum.Devices;

/// <summary>The orders the device list page offers; every one ends with the id, so the order is total.</summary>
public enum DeviceListOrder
{
    Id,
    DisplayName,
    Template,
    LastConnection,
}

/// <summary>
/// What a person asks of the device list: a search (a part of the id or the display name, in any case), filters that
/// each narrow the list (null: not filtered), and an order. <see cref="Connected"/> is the connection the gateway holds
/// now, not a remembered one.
/// </summary>
public sealed record DeviceListQuery
{
    /// <summary>The longest search: a device id is at most 128 characters (IoT Hub documentation, "Device identity properties").</summary>
    public const int MaxSearchLength = 128;

    public string? Search { get; init; }

    public string? Template { get; init; }

    public string? Organization { get; init; }

    public bool? Connected { get; init; }

    public bool? Enabled { get; init; }

    public bool? Approved { get; init; }

    public bool? Simulated { get; init; }

    public DeviceListOrder OrderBy { get; init; }

    public bool Descending { get; init; }
}

/// <summary>A device of the list with whether it is connected now.</summary>
public sealed record DeviceListItem(Device Device, bool Connected);

/// <summary>A page of the list and where the next one starts (null on the last page).</summary>
public sealed record DeviceListPage(IReadOnlyList<DeviceListItem> Devices, string? ContinueAfter);

/// <summary>How many devices a list selects: <see cref="Count"/>, or more than it when <see cref="More"/>.</summary>
public sealed record DeviceCount(int Count, bool More);
