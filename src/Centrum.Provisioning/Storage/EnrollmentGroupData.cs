using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Provisioning.Storage;

/// <summary>An application's enrollment groups go with it; a group outlives the devices it provisioned.</summary>
internal sealed class EnrollmentGroupData : IAreaData
{
    public string Area => "Provisioning";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.EnrollmentGroups.Where(g => g.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
}
