using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Export.Internal;

internal sealed record Cursor(long Position, long Delivered, DateTimeOffset? LastExportTime);

/// <summary>Export cursors in the metadata store: one per export and destination.</summary>
internal sealed class CursorStore(IDbContextFactory<CentrumDbContext> contexts)
{
    public async Task<Cursor?> LoadAsync(string applicationId, string exportId, string destinationId, string source, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ExportCursors.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ApplicationId == applicationId && c.ExportId == exportId && c.DestinationId == destinationId, cancellationToken);
        return row is null || row.Source != source ? null : new Cursor(row.Position, row.Delivered, row.LastExportTime);
    }

    public async Task SaveAsync(string applicationId, string exportId, string destinationId, string source, Cursor cursor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ExportCursors.FirstOrDefaultAsync(c => c.ApplicationId == applicationId && c.ExportId == exportId && c.DestinationId == destinationId, cancellationToken);
        if (row is null)
        {
            if (!await db.DataExports.AnyAsync(e => e.ApplicationId == applicationId && e.Id == exportId, cancellationToken))
            {
                return;
            }

            row = new ExportCursorEntity { ApplicationId = applicationId, ExportId = exportId, DestinationId = destinationId, Source = source };
            db.ExportCursors.Add(row);
        }

        row.Source = source;
        row.Position = cursor.Position;
        row.Delivered = cursor.Delivered;
        row.LastExportTime = cursor.LastExportTime;
        await db.SaveChangesAsync(cancellationToken);
    }
}
