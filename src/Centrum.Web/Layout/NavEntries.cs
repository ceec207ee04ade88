using Centrum.Web.Pages;
using Centrum.Web.Pages.Devices;
using Centrum.Web.Pages.Templates;
using MudBlazor;

namespace Centrum.Web.Layout;

/// <summary>
/// A link of the navigation drawer to a page, under <paramref name="Group"/> when it has one; shown only to callers the
/// page's attributes admit.
/// </summary>
public sealed record NavEntry(string Title, string Href, string Icon, Type Page, string? Group = null);

/// <summary>The navigation drawer's entries, in IoT Central's order: one line per page that exists.</summary>
public static class NavEntries
{
    public const string Administration = "Administration";

    public static IReadOnlyList<NavEntry> All { get; } =
    [
        new("Home", "", Icons.Material.Filled.Home, typeof(Home)),
        new("Devices", "devices", Icons.Material.Filled.Devices, typeof(DeviceList)),
        new("Device groups", "device-groups", Icons.Material.Filled.Workspaces, typeof(Pages.Groups.GroupList)),
        new("Device templates", "templates", Icons.Material.Filled.Schema, typeof(TemplateList)),
        new("Data explorer", "explorer", Icons.Material.Filled.QueryStats, typeof(Pages.Explorer.DataExplorer)),
        new("Dashboards", "dashboards", Icons.Material.Filled.Dashboard, typeof(Pages.Dashboards.DashboardList)),
        new("Jobs", "jobs", Icons.Material.Filled.Work, typeof(Pages.Jobs.JobList)),
        new("Audit log", "administration/audit-log", Icons.Material.Filled.History, typeof(Pages.Administration.AuditLogPage), Administration),
        new("Users", "administration/users", Icons.Material.Filled.People, typeof(Pages.Administration.UsersPage), Administration),
        new("Roles", "administration/roles", Icons.Material.Filled.Badge, typeof(Pages.Administration.RolesPage), Administration),
        new("Organizations", "administration/organizations", Icons.Material.Filled.AccountTree, typeof(Pages.Administration.OrganizationsPage), Administration),
        new("API tokens", "administration/api-tokens", Icons.Material.Filled.Key, typeof(Pages.Administration.ApiTokensPage), Administration),
        new("Enrollment groups", "administration/enrollment-groups", Icons.Material.Filled.VpnKey, typeof(Pages.Administration.EnrollmentGroupList), Administration),
        new("Data exports", "administration/exports", Icons.Material.Filled.CloudUpload, typeof(Pages.Administration.ExportList), Administration),
        new("Destinations", "administration/destinations", Icons.Material.Filled.Outbox, typeof(Pages.Administration.DestinationList), Administration),
    ];
}
