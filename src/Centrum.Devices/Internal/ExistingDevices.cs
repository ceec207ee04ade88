using Centrum.Storage;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Devices.Internal;

/// <summary>Which devices of an application exist, for a batch of creates and registrations at once (one read per chunk of ids).</summary>
internal sealed class ExistingDevices : MetadataBatchLookup
{
    public static ExistingDevices Instance { get; } = new();

    protected override async Task<IReadOnlyCollection<string>> FindAsync(CentrumDbContext db, string applicationId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var ids = keys.ToArray();
        return await db.Devices.AsNoTracking().Where(d => d.ApplicationId == applicationId && ids.Contains(d.Id)).Select(d => d.Id).ToListAsync(cancellationToken);
    }
}
