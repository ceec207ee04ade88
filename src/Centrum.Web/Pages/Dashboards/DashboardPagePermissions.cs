using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>
/// The permission each thing the dashboard pages do needs. As REST's <c>/api/dashboards</c> operations, the pages are
/// open to every member (everyone keeps personal dashboards) and hand the dashboards area the caller's reach for the
/// operation's dashboards permission, which is empty without it, so application dashboards are read and written only
/// within it. A tile reads its data with REST's permission for the same read. The authorization matrix holds this
/// table to REST's (endpoint-permissions.txt, role-permissions.txt).
/// </summary>
public static class DashboardPagePermissions
{
    /// <summary>Application dashboards in the list and on their page: the reach REST's <c>GET /api/dashboards/</c> hands the area.</summary>
    public const Permission Read = Permission.DashboardsRead;

    /// <summary>Creating an application dashboard: the reach REST's <c>PUT /api/dashboards/{dashboardId}</c> hands the area.</summary>
    public const Permission Create = Permission.DashboardsCreate;

    /// <summary>Editing an application dashboard's tiles: the reach REST's <c>PATCH /api/dashboards/{dashboardId}</c> hands the area.</summary>
    public const Permission Update = Permission.DashboardsUpdate;

    /// <summary>Deleting an application dashboard: the reach REST's <c>DELETE /api/dashboards/{dashboardId}</c> hands the area.</summary>
    public const Permission Delete = Permission.DashboardsDelete;

    /// <summary>Telemetry a chart, last-known-value or KPI tile shows: REST's <c>POST /api/query</c>.</summary>
    public const Permission ReadData = Permission.DeviceDataRead;

    /// <summary>
    /// The devices of a tile's group and a device count tile: as on the group pages (<c>GroupPagePermissions.Members</c>),
    /// a group's members are devices the caller may read, so the reach is REST's <c>GET /api/devices/</c>.
    /// </summary>
    public const Permission Members = Permission.DevicesRead;

    /// <summary>
    /// A property or map-of-properties tile's values: REST's <c>GET /api/devices/{deviceId}/properties</c>. The tile reads
    /// them through the device page's service, which hands the twins area the caller's reach for this permission.
    /// </summary>
    public const Permission ReadProperties = Permission.DevicesRead;

    /// <summary>
    /// Running a command tile's command: REST's <c>POST /api/devices/{deviceId}/commands/{commandName}</c>. The tile runs
    /// it through the device page's service (<see cref="Devices.DevicePagePermissions.RunCommand"/>, the same permission),
    /// which checks the caller's reach for the device when it runs; without it the tile offers no button.
    /// </summary>
    public const Permission RunCommand = Devices.DevicePagePermissions.RunCommand;

    /// <summary>The groups and templates the editor offers: REST's <c>GET /api/deviceGroups/</c> and <c>GET /api/deviceTemplates/</c>.</summary>
    public const Permission ChooseGroup = Permission.DeviceGroupsRead;
}
