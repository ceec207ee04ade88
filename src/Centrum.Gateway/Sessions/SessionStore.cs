using System.Text.Json;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Gateway.Sessions;

/// <summary>Persistent sessions' subscriptions, written before the SUBACK so a server restart keeps them.</summary>
internal sealed class SessionStore(IDbContextFactory<CentrumDbContext> contexts, TimeProvider time)
{
    public async Task<Dictionary<string, byte>?> LoadAsync(string applicationId, string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.MqttSessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.ApplicationId == applicationId && s.ClientId == clientId, cancellationToken);
        return entity is null ? null : JsonSerializer.Deserialize<Dictionary<string, byte>>(entity.Subscriptions);
    }

    public async Task SaveAsync(string applicationId, string clientId, IReadOnlyDictionary<string, byte> subscriptions, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(subscriptions);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.MqttSessions
            .Where(s => s.ApplicationId == applicationId && s.ClientId == clientId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Subscriptions, json).SetProperty(x => x.UpdatedAt, time.GetUtcNow()), cancellationToken);
        if (updated == 0)
        {
            db.MqttSessions.Add(new MqttSessionEntity { ApplicationId = applicationId, ClientId = clientId, Subscriptions = json, UpdatedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task DeleteAsync(string applicationId, string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.MqttSessions.Where(s => s.ApplicationId == applicationId && s.ClientId == clientId).ExecuteDeleteAsync(cancellationToken);
    }
}
