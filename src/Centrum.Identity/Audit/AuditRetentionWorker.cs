using Centrum.Events;
using Centrum.Identity.Internal;
using Centrum.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Identity.Audit;

/// <summary>
/// Deletes audit entries older than <see cref="AuditOptions.Retention"/>, oldest first, in small batches and at most
/// <see cref="AuditOptions.RowsPerPass"/> per pass. Entries are appended with the time of their answer, so positions
/// grow with time: a pass stops at the first entry that is still young.
/// </summary>
public sealed partial class AuditRetentionWorker(
    IDbContextFactory<CentrumDbContext> contexts, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetentionWorker> logger) : BackgroundService
{
    /// <summary>Rows per delete statement: each is one short SQLite write transaction, so other writers wait little.</summary>
    private const int BatchSize = 1_000;

    private static readonly string Audited = DeviceEventKind.Audited.ToString();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.AuditPruneFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns the entries deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        var deleted = 0;
        var after = 0L;
        while (deleted < options.Value.RowsPerPass)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var take = Math.Min(BatchSize, options.Value.RowsPerPass - deleted);
            var batch = await db.DeviceEvents.AsNoTracking()
                .Where(e => e.Kind == Audited && e.Id > after)
                .OrderBy(e => e.Id)
                .Take(take)
                .Select(e => new { e.Id, e.Time })
                .ToListAsync(cancellationToken);
            var expired = batch.TakeWhile(e => e.Time < cutoff).Select(e => e.Id).ToList();
            if (expired.Count > 0)
            {
                deleted += await db.DeviceEvents.Where(e => expired.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
                after = expired[^1];
            }

            if (expired.Count < take)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            Log.AuditPruned(logger, deleted, cutoff);
        }

        return deleted;
    }
}
