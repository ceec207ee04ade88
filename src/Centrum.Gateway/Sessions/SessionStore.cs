using System.Text.Json;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Gateway.Sessions;

/// <summary>
/// Persistent sessions' subscriptions, written before the CONNACK or SUBACK that relies on them (MQTT 3.1.1 sections
/// 3.1.2.4 and 3.8.4: the session, its subscriptions included, outlives the connection), so a server restart keeps
/// them. Saves and deletes go through the metadata store's group commit (<see cref="MetadataWriter"/>): a connect
/// storm's sessions share durable commits instead of each waiting for SQLite's one write lock, and each caller is
/// answered only once its session is on disk.
/// </summary>
internal sealed class SessionStore(IDbContextFactory<CentrumDbContext> contexts, MetadataWriter writer, TimeProvider time)
{
    public async Task<Dictionary<string, byte>?> LoadAsync(string applicationId, string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.MqttSessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.ApplicationId == applicationId && s.ClientId == clientId, cancellationToken);
        return entity is null ? null : JsonSerializer.Deserialize<Dictionary<string, byte>>(entity.Subscriptions);
    }

    /// <summary>
    /// Stores the session's subscriptions (insert or replace). The row is found by key in the batch's context first, so
    /// a client's save and delete in one batch (a takeover racing the connection it replaces) apply in queue order.
    /// </summary>
    public Task SaveAsync(string applicationId, string clientId, IReadOnlyDictionary<string, byte> subscriptions, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(subscriptions);
        return writer.WriteAsync(applicationId, async (unit, ct) =>
        {
            var now = time.GetUtcNow();
            var row = await unit.Db.MqttSessions.FindAsync([applicationId, clientId], ct);
            if (row is null)
            {
                unit.Db.MqttSessions.Add(new MqttSessionEntity { ApplicationId = applicationId, ClientId = clientId, Subscriptions = json, UpdatedAt = now });
                return;
            }

            var entry = unit.Db.Entry(row);
            if (entry.State == EntityState.Deleted)
            {
                entry.State = EntityState.Modified;
            }

            row.Subscriptions = json;
            row.UpdatedAt = now;
        }, cancellationToken);
    }

    /// <summary>
    /// Ends the stored session (a CleanSession=1 CONNECT, MQTT 3.1.1 section 3.1.2.4). Most clean-session clients never
    /// had one: a read outside any transaction finds that out without queueing a write, so a storm of them costs no
    /// commits at all.
    /// </summary>
    public async Task DeleteAsync(string applicationId, string clientId, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.MqttSessions.AnyAsync(s => s.ApplicationId == applicationId && s.ClientId == clientId, cancellationToken))
            {
                return;
            }
        }

        await writer.WriteAsync(applicationId, async (unit, ct) =>
        {
            if (await unit.Db.MqttSessions.FindAsync([applicationId, clientId], ct) is { } row)
            {
                unit.Db.MqttSessions.Remove(row);
            }
        }, cancellationToken);
    }
}
