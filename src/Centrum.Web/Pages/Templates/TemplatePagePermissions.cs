using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Templates;

/// <summary>
/// The permission each thing the template pages do needs: the one REST requires for the same operation, so a page
/// offers an action only to a caller holding it and hands the area the caller's reach for it. The authorization matrix
/// holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class TemplatePagePermissions
{
    /// <summary>The list and a template's page: REST's <c>GET /api/deviceTemplates</c> and <c>GET /api/deviceTemplates/{id}</c>.</summary>
    public const Permission Read = Permission.TemplatesRead;

    /// <summary>Importing a template: REST's <c>PUT /api/deviceTemplates/{deviceTemplateId}</c>.</summary>
    public const Permission Import = Permission.TemplatesManage;

    /// <summary>Deleting a template: REST's <c>DELETE /api/deviceTemplates/{deviceTemplateId}</c>.</summary>
    public const Permission Delete = Permission.TemplatesManage;

    /// <summary>The devices using a template and how many: REST's <c>GET /api/devices</c>, with the caller's reach for it.</summary>
    public const Permission Devices = Permission.DevicesRead;

    /// <summary>
    /// Migrating devices to another template: a job of type <c>deviceTemplateMigration</c>, as IoT Central does it,
    /// created as REST's <c>PUT /api/jobs/{jobId}</c> creates one, and acting within the caller's reach for it.
    /// </summary>
    public const Permission Migrate = Permission.JobsExecute;

    /// <summary>The migration job's progress: REST's <c>GET /api/jobs/{jobId}</c>.</summary>
    public const Permission MigrationProgress = Permission.JobsRead;
}
