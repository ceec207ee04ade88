using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Groups;

/// <summary>
/// The permission each thing the device group pages do needs: the one REST requires for the same operation, so a page
/// offers an action only to a caller holding it and hands the groups area the caller's reach for it. The authorization
/// matrix holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class GroupPagePermissions
{
    /// <summary>The list and a group's page: REST's <c>GET /api/deviceGroups/</c> and <c>GET /api/deviceGroups/{deviceGroupId}</c>.</summary>
    public const Permission Read = Permission.DeviceGroupsRead;

    /// <summary>
    /// The devices a filter or a saved group matches: as REST's <c>GET /api/deviceGroups/{deviceGroupId}/devices</c>, the
    /// members are also devices the caller may read, so the reach handed to the area is that of REST's <c>GET /api/devices/</c>.
    /// </summary>
    public const Permission Members = Permission.DevicesRead;

    /// <summary>The filter builder's choice of template: REST's <c>GET /api/deviceTemplates/</c>.</summary>
    public const Permission Templates = Permission.TemplatesRead;

    /// <summary>The editor's organization picker: REST's <c>GET /api/organizations</c>, within the caller's reach for it.</summary>
    public const Permission Organizations = Permission.OrganizationsRead;

    /// <summary>Creating a group: REST's <c>PUT /api/deviceGroups/{deviceGroupId}</c>.</summary>
    public const Permission Create = Permission.DeviceGroupsCreate;

    /// <summary>Renaming a group or changing its filter: REST's <c>PATCH /api/deviceGroups/{deviceGroupId}</c>.</summary>
    public const Permission Update = Permission.DeviceGroupsUpdate;

    /// <summary>Deleting a group: REST's <c>DELETE /api/deviceGroups/{deviceGroupId}</c>.</summary>
    public const Permission Delete = Permission.DeviceGroupsDelete;
}
