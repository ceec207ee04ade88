using Centrum.Applications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry;

/// <summary>
/// Deletes telemetry older than each application's retention, on its own connection beside the writer: deleting old rows
/// and appending new ones do not conflict, so ingestion goes on. Sequence numbers are never reused. The cutoff is rounded
/// down to the hour so the rollups of a bucket go with its raw rows (see <c>DeleteOlderThanAsync</c>).
/// </summary>
public sealed partial class RetentionWorker(
    TelemetryIngest ingest, IApplicationCatalog applications, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RetentionFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over every application; returns the rows deleted.</summary>
    public async Task<long> RunOnceAsync(CancellationToken cancellationToken)
    {
        long deleted = 0;
        foreach (var application in await applications.ListAsync(cancellationToken))
        {
            var cutoff = (time.GetUtcNow() - (application.TelemetryRetention ?? options.Value.Retention)).UtcDateTime;
            var rows = await ingest.Store(application.Id).DeleteOlderThanAsync(cutoff, cancellationToken);
            deleted += rows;
            if (rows > 0)
            {
                Deleted(logger, application.Id, rows, cutoff);
            }
        }

        return deleted;
    }

    [LoggerMessage(3101, LogLevel.Information, "Retention deleted {Rows} telemetry rows of application {ApplicationId} older than {Cutoff:O}")]
    private static partial void Deleted(ILogger logger, string applicationId, long rows, DateTime cutoff);

    [LoggerMessage(3102, LogLevel.Error, "A retention pass failed; it is tried again at the next interval")]
    private static partial void RetentionFailed(ILogger logger, Exception exception);
}
