using Centrum.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Centrum.Server.Hosting;

internal sealed class MetadataStoreHealthCheck(IDbContextFactory<CentrumDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The metadata database cannot be opened.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The prober gave up (its own timeout, or the request was aborted): that says nothing about the store, and
            // reporting Unhealthy would log a failure for a probe nobody reads. The health middleware handles the cancellation.
            throw;
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The metadata database failed.", ex);
        }
    }
}
