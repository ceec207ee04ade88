using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Export.Storage;

/// <summary>An application's exports, their destinations and cursors go with it; an export outlives the devices it exported.</summary>
internal sealed class ExportData : IAreaData
{
    public string Area => "Export";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.ExportCursors.Where(c => c.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.DataExports.Where(e => e.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.DataExportDestinations.Where(d => d.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }
}
