using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Templates.Storage;

/// <summary>An application's device templates go with it; a template outlives the devices assigned to it.</summary>
internal sealed class TemplateData : IAreaData
{
    public string Area => "Templates";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.DeviceTemplates.Where(t => t.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
}
