using Centrum.Devices;
using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Devices;

/// <summary>
/// The permission each thing the device pages do needs: the one REST requires for the same operation, so a page offers
/// an action only to a caller holding it and hands the area the caller's reach for it. The authorization matrix holds
/// this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class DevicePagePermissions
{
    /// <summary>The list: REST's <c>GET /api/devices</c>.</summary>
    public const Permission List = Permission.DevicesRead;

    /// <summary>Creating a device: REST's <c>PUT /api/devices/{deviceId}</c>.</summary>
    public const Permission Create = Permission.DevicesCreate;

    /// <summary>
    /// The keys and connection string, shown after creating and by the device view's Connect button: REST's
    /// <c>GET /api/devices/{deviceId}/credentials</c>.
    /// </summary>
    public const Permission ConnectionDetails = Permission.DeviceConnectivityRead;

    /// <summary>Creating simulated devices for a template: each is a device created as REST's <c>PUT /api/devices/{deviceId}</c> creates one.</summary>
    public const Permission CreateSimulated = Permission.DevicesCreate;

    /// <summary>The device view's telemetry (last known values, live charts, raw data): REST's <c>GET /api/devices/{deviceId}/telemetry/{telemetryName}</c>.</summary>
    public const Permission ReadData = Permission.DeviceDataRead;

    /// <summary>Writing a writable property from the device view: REST's <c>PATCH /api/devices/{deviceId}/properties</c>.</summary>
    public const Permission WriteProperty = Permission.DevicesUpdate;

    /// <summary>Editing a cloud property from the device view: the same REST operation as a writable property's.</summary>
    public const Permission EditCloudProperty = Permission.DevicesUpdate;

    /// <summary>Running a command from the device view: REST's <c>POST /api/devices/{deviceId}/commands/{commandName}</c>.</summary>
    public const Permission RunCommand = Permission.DeviceCommandsExecute;

    /// <summary>Every bulk action, in the order the page shows them.</summary>
    public static IReadOnlyList<DeviceBulkActionKind> Actions { get; } = Enum.GetValues<DeviceBulkActionKind>();

    /// <summary>A bulk action: REST's <c>PATCH /api/devices/{deviceId}</c> for all but delete, <c>DELETE</c> for delete.</summary>
    public static Permission For(DeviceBulkActionKind kind) => kind switch
    {
        DeviceBulkActionKind.Delete => Permission.DevicesDelete,
        _ => Permission.DevicesUpdate,
    };
}
