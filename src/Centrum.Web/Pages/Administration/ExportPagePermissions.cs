using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Administration;

/// <summary>
/// The permission each thing the data export and destination pages do needs: the one REST requires for the same
/// operation (IoT Central REST API, "Exports" and "Destinations"). The authorization matrix holds this table to REST's.
/// </summary>
public static class ExportPagePermissions
{
    /// <summary>Exports, their status and metrics: REST's <c>GET /api/dataExport/exports/{exportId}</c>.</summary>
    public const Permission ReadExports = Permission.DataExportRead;

    /// <summary>Creating, editing, enabling or disabling an export: REST's <c>PUT</c> and <c>PATCH /api/dataExport/exports/{exportId}</c>.</summary>
    public const Permission SaveExport = Permission.DataExportManage;

    /// <summary>Deleting an export: REST's <c>DELETE /api/dataExport/exports/{exportId}</c>.</summary>
    public const Permission DeleteExport = Permission.DataExportManage;

    /// <summary>Destinations, secrets masked: REST's <c>GET /api/dataExport/destinations/{destinationId}</c>.</summary>
    public const Permission ReadDestinations = Permission.DataExportRead;

    /// <summary>Creating or editing a destination: REST's <c>PUT /api/dataExport/destinations/{destinationId}</c>.</summary>
    public const Permission SaveDestination = Permission.DataExportManage;

    /// <summary>Deleting a destination: REST's <c>DELETE /api/dataExport/destinations/{destinationId}</c>.</summary>
    public const Permission DeleteDestination = Permission.DataExportManage;
}
