namespace Centrum.Identity.Authorization;

/// <summary>One heading of the role editor with the permissions under it.</summary>
public sealed record PermissionGroup(string Title, IReadOnlyList<Permission> Permissions);

/// <summary>
/// The permissions as IoT Central's role editor groups them (IoT Central documentation, "Manage users and roles in your
/// IoT Central application": devices, device groups, device templates, jobs, data export, application dashboards, and the administration
/// permissions for users, roles, organizations, API tokens and the audit log). Every permission is in exactly one group.
/// </summary>
public static class PermissionGroups
{
    public static IReadOnlyList<PermissionGroup> All { get; } =
    [
        new("Devices",
        [
            Permission.DevicesRead, Permission.DevicesCreate, Permission.DevicesUpdate, Permission.DevicesDelete,
            Permission.DeviceConnectivityRead, Permission.DeviceConnectivityManage, Permission.DeviceDataRead, Permission.DeviceCommandsExecute,
        ]),
        new("Device groups", [Permission.DeviceGroupsRead, Permission.DeviceGroupsCreate, Permission.DeviceGroupsUpdate, Permission.DeviceGroupsDelete]),
        new("Device templates", [Permission.TemplatesRead, Permission.TemplatesManage]),
        new("Jobs", [Permission.JobsRead, Permission.JobsCreate, Permission.JobsUpdate, Permission.JobsDelete, Permission.JobsExecute]),
        new("Data export", [Permission.DataExportRead, Permission.DataExportManage]),
        new("Application dashboards", [Permission.DashboardsRead, Permission.DashboardsCreate, Permission.DashboardsUpdate, Permission.DashboardsDelete]),
        new("Administration",
        [
            Permission.UsersRead, Permission.UsersManage, Permission.RolesRead, Permission.RolesManage,
            Permission.OrganizationsRead, Permission.OrganizationsManage, Permission.ApiTokensRead, Permission.ApiTokensManage, Permission.AuditLogRead, Permission.FileUploadsManage,
        ]),
    ];
}
