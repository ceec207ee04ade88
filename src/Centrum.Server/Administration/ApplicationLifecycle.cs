using Centrum.Applications;
using Centrum.Devices;
using Centrum.Export;
using Centrum.Identity.Applications;
using Centrum.Telemetry;

namespace Centrum.Server.Administration;

/// <summary>
/// Suspending, resuming and deleting an application while the server runs: the areas each let go of it (connections
/// closed, exports stopped, the telemetry store closed and removed) around the metadata change.
/// </summary>
internal sealed class ApplicationLifecycle(
    ApplicationAdministration administration, IDeviceConnections connections, TelemetryIngest telemetry, DataExportService exports)
{
    public async Task<bool> SuspendAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (!await administration.SetSuspendedAsync(applicationId, true, cancellationToken))
        {
            return false;
        }

        await connections.DisconnectApplicationAsync(applicationId, "application suspended");
        return true;
    }

    public Task<bool> ResumeAsync(string applicationId, CancellationToken cancellationToken) =>
        administration.SetSuspendedAsync(applicationId, false, cancellationToken);

    public async Task<bool> DeleteAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (administration.IsDefault(applicationId))
        {
            throw new InvalidOperationException("The default application cannot be deleted; suspend it instead.");
        }

        if (!await SuspendAsync(applicationId, cancellationToken))
        {
            return false;
        }

        await administration.DeleteAsync(applicationId, cancellationToken);
        exports.NotifyChanged(applicationId);
        await telemetry.DropAsync(applicationId);
        return true;
    }

    public static object ToJson(Application application) => new
    {
        id = application.Id,
        displayName = application.DisplayName,
        hubHostName = application.HubHostName,
        idScope = application.IdScope,
        suspended = application.Suspended,
        autoApprove = application.AutoApprove,
        telemetryRetention = application.TelemetryRetention?.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}
