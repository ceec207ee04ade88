using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Storage.Events;

/// <summary>The device-event log keeps a deleted device's events (the deletion is itself an event, which export delivers after it); an application's log goes with the application. The log has no foreign key, so nothing else would delete it.</summary>
internal sealed class DeviceEventData : IAreaData
{
    public string Area => "Storage";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.DeviceEvents.Where(e => e.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
}
