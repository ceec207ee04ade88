using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Dashboards.Storage;

/// <summary>
/// An application's dashboards go with it. A tile names devices and groups by id only, so a device deletion leaves the
/// tile as it is and it shows nothing for that device, as IoT Central's tiles do. A member who leaves takes their
/// personal dashboards along (nobody else could see or delete them); application dashboards they made stay.
/// </summary>
internal sealed class DashboardData : IAreaData
{
    public string Area => "Dashboards";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.Dashboards.Where(d => d.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);

    public Task ReleaseMemberAsync(CentrumDbContext db, string applicationId, string memberId, CancellationToken cancellationToken) =>
        db.Dashboards.Where(d => d.ApplicationId == applicationId && d.Personal && d.Owner == memberId).ExecuteDeleteAsync(cancellationToken);
}
