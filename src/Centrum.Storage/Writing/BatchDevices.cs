using Microsoft.EntityFrameworkCore;

namespace Centrum.Storage.Writing;

/// <summary>
/// Which of the devices a batch's writes asked about exist: read with one query per application and chunk of ids when
/// the batch starts (in its transaction), then kept current by the batch's own creates and deletes, so a batch of new
/// devices costs one read instead of one per device on the writer's serial path.
/// </summary>
internal sealed class BatchDevices
{
    /// <summary>Ids per lookup statement: well under SQLite's and PostgreSQL's parameter limits (the ids travel as one array parameter anyway).</summary>
    private const int Chunk = 500;

    private readonly HashSet<(string ApplicationId, string DeviceId)> _asked = [];
    private readonly HashSet<(string ApplicationId, string DeviceId)> _existing = [];

    public static async Task<BatchDevices> LookUpAsync(CentrumDbContext db, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var devices = new BatchDevices();
        foreach (var write in writes)
        {
            if (write.DeviceId is { } deviceId)
            {
                devices._asked.Add((write.ApplicationId, deviceId));
            }
        }

        foreach (var application in devices._asked.GroupBy(k => k.ApplicationId, k => k.DeviceId))
        {
            foreach (var ids in application.Chunk(Chunk))
            {
                var applicationId = application.Key;
                var found = await db.Devices.AsNoTracking().Where(d => d.ApplicationId == applicationId && ids.Contains(d.Id)).Select(d => d.Id).ToListAsync(cancellationToken);
                foreach (var id in found)
                {
                    devices._existing.Add((applicationId, id));
                }
            }
        }

        return devices;
    }

    public bool Exists(string applicationId, string deviceId) =>
        _asked.Contains((applicationId, deviceId))
            ? _existing.Contains((applicationId, deviceId))
            : throw new InvalidOperationException($"Device '{deviceId}' was not named when its write was queued; the batch did not look it up.");

    public void Created(string applicationId, string deviceId)
    {
        _asked.Add((applicationId, deviceId));
        _existing.Add((applicationId, deviceId));
    }

    public void Deleted(string applicationId, string deviceId)
    {
        _asked.Add((applicationId, deviceId));
        _existing.Remove((applicationId, deviceId));
    }
}
