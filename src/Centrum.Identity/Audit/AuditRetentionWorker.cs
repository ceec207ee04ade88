using Centrum.Events;
using Centrum.Identity.Internal;
using Centrum.Storage;
using Centrum.Storage.Events;
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

    /// <summary>One pass; returns the entries deleted. The entries are rows of the device-event log, so its owner deletes them.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        var deleted = await DeviceEventLog.PruneAsync(contexts, DeviceEventKind.Audited, cutoff, options.Value.RowsPerPass, cancellationToken);
        if (deleted > 0)
        {
            Log.AuditPruned(logger, deleted, cutoff);
        }

        return deleted;
    }
}
