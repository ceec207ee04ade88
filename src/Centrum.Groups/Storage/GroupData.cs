using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Groups.Storage;

/// <summary>An application's device groups go with it; a group keeps nothing about a single device, so a device deletion leaves it as it is.</summary>
internal sealed class GroupData : IAreaData
{
    public string Area => "Groups";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.DeviceGroups.Where(g => g.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
}
