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
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The metadata database failed.", ex);
        }
    }
}
