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

    /// <summary>
    /// The application's saved queries in the list, and the one a <c>dataExplorer</c> tile shows: REST's
    /// <c>GET /api/dashboards/</c>. A saved query is what a dashboard tile shows and is shared as dashboards are, so
    /// application queries follow the application dashboards permissions (IoT Central's role editor has none for
    /// explorer queries); personal ones, like personal dashboards, need only membership.
    /// </summary>
    public const Permission ReadSaved = Permission.DashboardsRead;

    /// <summary>Saving an application query: REST's <c>PUT /api/dashboards/{dashboardId}</c>.</summary>
    public const Permission SaveApplication = Permission.DashboardsCreate;

    /// <summary>Renaming an application query or saving it again in place: REST's <c>PATCH /api/dashboards/{dashboardId}</c>.</summary>
    public const Permission RenameApplication = Permission.DashboardsUpdate;

    /// <summary>Deleting an application query: REST's <c>DELETE /api/dashboards/{dashboardId}</c>.</summary>
    public const Permission DeleteApplication = Permission.DashboardsDelete;

    /// <summary>
    /// Pinning a saved query to an application dashboard, which changes its tiles: REST's <c>PATCH /api/dashboards/{dashboardId}</c>.
    /// Pinning to one's personal dashboards needs only membership.
    /// </summary>
    public const Permission Pin = Permission.DashboardsUpdate;
}
