using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Gateway.Sessions;

/// <summary>A deleted device's persistent MQTT sessions go with it: its own and its modules' (a module's client id is <c>{deviceId}/{moduleId}</c>, IoT Hub documentation, "Communicate with IoT Hub using the MQTT protocol"), so a device created again under the same id starts clean.</summary>
internal sealed class SessionData : IAreaData
{
    public string Area => "Gateway";

    public Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var modules = deviceId + "/";
        return db.MqttSessions.Where(s => s.ApplicationId == applicationId && (s.ClientId == deviceId || s.ClientId.StartsWith(modules)))
            .ExecuteDeleteAsync(cancellationToken);
    }

    public Task ReleaseModuleAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken)
    {
        var clientId = $"{deviceId}/{moduleId}";
        return db.MqttSessions.Where(s => s.ApplicationId == applicationId && s.ClientId == clientId).ExecuteDeleteAsync(cancellationToken);
    }

    public Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken) =>
        db.MqttSessions.Where(s => s.ApplicationId == applicationId).ExecuteDeleteAsync(cancellationToken);
}
