using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Devices.Storage;

/// <summary>The registry's rows go with their application; a device's own row is deleted by <see cref="DeviceRegistry.DeleteAsync"/>, which asks the other areas.</summary>
internal sealed class DeviceData : IAreaData
{
    public string Area => "Devices";

    /// <summary>The registry deletes the device itself, after which it asks every area, this one included.</summary>
    /// <remarks>Its module identities go with it, the relationships it is either end of, and its file uploads.</remarks>
    public async Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await db.DeviceRelationships.Where(r => r.ApplicationId == applicationId && (r.SourceId == deviceId || r.TargetId == deviceId)).ExecuteDeleteAsync(cancellationToken);
        await db.Modules.Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
        await db.FileUploads.Where(u => u.ApplicationId == applicationId && u.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A deleted module's uploads go with it.</summary>
    public Task ReleaseModuleAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) =>
        db.FileUploads.Where(u => u.ApplicationId == applicationId && u.DeviceId == deviceId && u.ModuleId == moduleId).ExecuteDeleteAsync(cancellationToken);

    public async Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        await db.DeviceRelationships.Where(r => r.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.Modules.Where(m => m.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.FileUploads.Where(u => u.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.FileUploadSettings.Where(s => s.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
        await db.Devices.Where(d => d.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
    }
}
