using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Storage;

/// <summary>
/// An application's jobs and schedules go with it. A deleted device keeps its rows in the jobs it was a target of: a
/// job's record says what happened to the fleet, and the device's id is all it holds of it.
/// </summary>
internal sealed class JobAreaData : IAreaData
{
    public string Area => "Jobs";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.JobDevices.Where(d => d.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.Jobs.Where(j => j.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.ScheduledJobs.Where(s => s.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }
}
