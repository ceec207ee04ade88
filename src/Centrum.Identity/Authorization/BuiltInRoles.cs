using System.Collections.Frozen;

namespace Centrum.Identity.Authorization;

/// <summary>IoT Central's predefined roles, with the ids it uses in every application (IoT Central docs "Manage users and roles in your IoT Central application").</summary>
public static class BuiltInRoles
{
    public const string AppAdministrator = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4";
    public const string AppBuilder = "344138e9-8de4-4497-8c54-5237e96d6aaf";
    public const string AppOperator = "ae2c9854-393b-4f97-8c42-479d70ce626e";
    public const string OrgAdministrator = "c495eb57-eb18-489e-9802-62c474e5645c";
    public const string OrgOperator = "b4935647-30e4-4ed3-9074-dcac66c2f8ef";
    public const string OrgViewer = "84cc62c1-dabe-49d3-b16e-8b291232b285";

    private static readonly Permission[] DeviceOperation =
    [
        Permission.DevicesRead, Permission.DevicesCreate, Permission.DevicesUpdate, Permission.DevicesDelete,
        Permission.DeviceConnectivityRead, Permission.DeviceDataRead, Permission.DeviceCommandsExecute, Permission.TemplatesRead,
        Permission.RolesRead, Permission.OrganizationsRead,
        Permission.DeviceGroupsRead, Permission.DeviceGroupsCreate, Permission.DeviceGroupsUpdate, Permission.DeviceGroupsDelete,
        Permission.JobsRead, Permission.JobsCreate, Permission.JobsUpdate, Permission.JobsDelete, Permission.JobsExecute,
        Permission.DashboardsRead, Permission.DashboardsCreate, Permission.DashboardsUpdate, Permission.DashboardsDelete,
    ];

    private static readonly FrozenDictionary<string, FrozenSet<Permission>> Grants = new Dictionary<string, FrozenSet<Permission>>
    {
        [AppAdministrator] = Enum.GetValues<Permission>().ToFrozenSet(),
        [AppBuilder] = DeviceOperation.Append(Permission.DeviceConnectivityManage).Append(Permission.TemplatesManage).ToFrozenSet(),
        [AppOperator] = DeviceOperation.ToFrozenSet(),
        [OrgAdministrator] = DeviceOperation.Append(Permission.OrganizationsManage).ToFrozenSet(),
        // An Org Operator creates device groups and dashboards and runs jobs within its organization (IoT Central docs)
        // but deletes no devices, nor groups, nor scheduled jobs, nor dashboards.
        [OrgOperator] = DeviceOperation.Except([Permission.DevicesDelete, Permission.DeviceGroupsDelete, Permission.JobsDelete, Permission.DashboardsDelete]).ToFrozenSet(),
        [OrgViewer] = new[]
        {
            Permission.DevicesRead, Permission.DeviceDataRead, Permission.TemplatesRead, Permission.RolesRead, Permission.OrganizationsRead,
            Permission.DeviceGroupsRead, Permission.JobsRead, Permission.DashboardsRead,
        }.ToFrozenSet(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The predefined roles as the roles API shows them.</summary>
    public static readonly IReadOnlyList<Role> All = RoleNames.BuiltIn
        .Select(r => new Role(r.Id, r.DisplayName, r.Id is AppAdministrator or AppBuilder or AppOperator ? RoleCatalog.ApplicationScope : RoleCatalog.OrganizationScope,
            Grants[r.Id].Order().ToList(), BuiltIn: true, ETag: null))
        .ToList();

    public static bool IsBuiltIn(string roleId) => Grants.ContainsKey(roleId);

    public static bool RoleGrants(string roleId, Permission permission) =>
        Grants.TryGetValue(roleId, out var set) && set.Contains(permission);
}
