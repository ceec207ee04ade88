using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Devices.Storage;

/// <summary>The devices area answers whether a module identity exists, in the caller's transaction (<see cref="IModulePresence"/>).</summary>
internal sealed class ModulePresence : IModulePresence
{
    public Task<bool> ExistsAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) =>
        db.Modules.AnyAsync(m => m.ApplicationId == applicationId && m.DeviceId == deviceId && m.Id == moduleId, cancellationToken);
}
