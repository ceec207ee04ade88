using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Dashboards.Storage;

/// <summary>
/// An application's dashboards, saved queries and favorites go with it. A tile names devices and groups by id only, so a
/// device deletion leaves the tile as it is and it shows nothing for that device, as IoT Central's tiles do. A member
/// who leaves takes their personal dashboards, personal saved queries and favorite along (nobody else could see or
/// delete them); application dashboards and queries they made stay.
/// </summary>
internal sealed class DashboardData : IAreaData
{
    public string Area => "Dashboards";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.Dashboards.Where(d => d.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.SavedQueries.Where(q => q.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.DashboardFavorites.Where(f => f.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task ReleaseMemberAsync(CentrumDbContext db, string applicationId, string memberId, CancellationToken cancellationToken)
    {
        await db.Dashboards.Where(d => d.ApplicationId == applicationId && d.Personal && d.Owner == memberId).ExecuteDeleteAsync(cancellationToken);
        await db.SavedQueries.Where(q => q.ApplicationId == applicationId && q.Personal && q.Owner == memberId).ExecuteDeleteAsync(cancellationToken);
        await db.DashboardFavorites.Where(f => f.ApplicationId == applicationId && f.Member == memberId).ExecuteDeleteAsync(cancellationToken);
    }
}
