using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Explorer;

/// <summary>
/// The permission each thing the data explorer does needs: the one REST requires for the same operation, so the page
/// offers a choice only to a caller holding it and hands each area the caller's reach for it. The authorization matrix
/// holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class ExplorerPagePermissions
{
    /// <summary>Opening the page and running a query: REST's <c>POST /api/query</c>.</summary>
    public const Permission Run = Permission.DeviceDataRead;

    /// <summary>The device templates to query: REST's <c>GET /api/deviceTemplates/</c>.</summary>
    public const Permission ChooseTemplate = Permission.TemplatesRead;

    /// <summary>The device groups to query and their members: REST's <c>GET /api/deviceGroups/</c> and <c>GET /api/deviceGroups/{deviceGroupId}/devices</c>.</summary>
    public const Permission ChooseGroup = Permission.DeviceGroupsRead;
}
