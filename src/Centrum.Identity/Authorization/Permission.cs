namespace Centrum.Identity.Authorization;

/// <summary>
/// The permissions REST operations require, after IoT Central's permission groups (IoT Central docs "Manage users and roles in your IoT Central application"). Every endpoint
/// names one; an endpoint without one is refused (deny by default).
/// </summary>
public enum Permission
{
    DevicesRead,
    DevicesCreate,
    DevicesUpdate,
    DevicesDelete,
    DeviceConnectivityRead,
    DeviceConnectivityManage,
    DeviceDataRead,
    DeviceCommandsExecute,
    TemplatesRead,
    TemplatesManage,
    ApiTokensRead,
    ApiTokensManage,
    DataExportRead,
    DataExportManage,
    AuditLogRead,
    UsersRead,
    UsersManage,
    RolesRead,
    RolesManage,
    OrganizationsRead,
    OrganizationsManage,
    DeviceGroupsRead,
    DeviceGroupsCreate,
    DeviceGroupsUpdate,
    DeviceGroupsDelete,

    /// <summary>See jobs, their devices and scheduled jobs.</summary>
    JobsRead,

    /// <summary>Create scheduled jobs.</summary>
    JobsCreate,

    /// <summary>Change scheduled jobs.</summary>
    JobsUpdate,

    /// <summary>Delete scheduled jobs.</summary>
    JobsDelete,

    /// <summary>Run jobs: start one, stop, resume and re-run it (IoT Central's "Execute" jobs permission).</summary>
    JobsExecute,

    /// <summary>
    /// See application dashboards (IoT Central's "Application dashboards: View"). Personal dashboards need no
    /// permission, only membership: every member keeps its own (<see cref="MemberPolicy"/>).
    /// </summary>
    DashboardsRead,

    /// <summary>Create application dashboards (IoT Central's "Application dashboards: Create").</summary>
    DashboardsCreate,

    /// <summary>Change application dashboards (IoT Central's "Application dashboards: Update").</summary>
    DashboardsUpdate,

    /// <summary>Delete application dashboards (IoT Central's "Application dashboards: Delete").</summary>
    DashboardsDelete,

    /// <summary>
    /// Read and change the application's file upload configuration (IoT Central's "Application settings: File upload",
    /// which only administrators hold; the configuration carries the storage account's connection string).
    /// </summary>
    FileUploadsManage,
}
