using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Twins.Storage;

/// <summary>A device's twins (its own and its modules') go with the device; an application's twins and deployment manifests with the application.</summary>
internal sealed class TwinData : IAreaData
{
    public string Area => "Twins";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) =>
        db.Twins.Where(t => t.ApplicationId == applicationId && t.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);

    public Task ReleaseModuleAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) =>
        db.Twins.Where(t => t.ApplicationId == applicationId && t.DeviceId == deviceId && t.ModuleId == moduleId).ExecuteDeleteAsync(cancellationToken);

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.DeploymentManifests.Where(m => m.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.Twins.Where(t => t.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }
}
