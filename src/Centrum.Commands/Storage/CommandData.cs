using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Commands.Storage;

/// <summary>A device's command history and its queued cloud-to-device messages go with the device, an application's with the application.</summary>
internal sealed class CommandData : IAreaData
{
    public string Area => "Commands";

    public async Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await db.CloudToDeviceMessages.Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
        await db.CommandRecords.Where(c => c.ApplicationId == applicationId && c.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Cloud-to-device messages go to devices only (IoT Hub has none for modules), so only the module's command history goes.</summary>
    public Task ReleaseModuleAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) =>
        db.CommandRecords.Where(c => c.ApplicationId == applicationId && c.DeviceId == deviceId && c.ModuleId == moduleId).ExecuteDeleteAsync(cancellationToken);

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.CloudToDeviceMessages.Where(m => m.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.CommandRecords.Where(c => c.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }
}
