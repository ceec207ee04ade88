using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Storage.Events;

/// <summary>
/// The application's durable event log (<c>device_events</c>) and the one way to append to it. A change and the events it
/// causes are written in one transaction (the outbox): <see cref="Open"/> gives a <see cref="DeviceEventAppend"/> over the
/// caller's <see cref="CentrumDbContext"/>, the caller adds its change and appends its events, and
/// <see cref="DeviceEventAppend.CommitAsync"/> saves both, commits, and only then publishes the events on
/// <see cref="IDeviceEvents"/>, so no subscriber hears of a change that could still roll back.
/// <para>
/// The ordering rule: readers (export cursors, catch-up after a slow subscriber) follow the log by id after a cursor,
/// per application, so within an application an id must never become visible after a larger one. SQLite has one writer
/// at a time, so ids commit in order there. PostgreSQL assigns identity values when a row is inserted, not when its
/// transaction commits (PostgreSQL documentation, "Sequence Manipulation Functions": nextval is never rolled back and
/// "concurrent transactions … obtain distinct values"; nothing orders the commits), so a reader could see id 8 before
/// id 7 commits and skip 7 forever. On PostgreSQL every append therefore takes a transaction-level advisory lock on its
/// application before its rows are inserted and keeps it to the commit (PostgreSQL documentation, "Advisory Locks":
/// <c>pg_advisory_xact_lock</c> "is automatically released at the end of the current transaction"): a second writer of
/// the same application takes its id only after the first has committed, so ids become visible in id order. The lock
/// is taken before the transaction's first write (see <see cref="DeviceEventAppend.BeginAsync"/>), so it is always the
/// first lock a writer holds and no two writers can wait on each other in a cycle. Writers of different applications
/// never wait for each other.
/// </para>
/// </summary>
public sealed class DeviceEventLog(IDeviceEvents events, TimeProvider time)
{
    /// <summary>
    /// The first key of the two-key advisory lock: names Centrum's event-log locks, so they cannot meet a lock another
    /// program sharing the database takes with the same application hash (PostgreSQL documentation, "Advisory Lock
    /// Functions": the two-key form and the one-key form share no space with each other either).
    /// </summary>
    internal const int AdvisoryLockSpace = 0x43_45_56_4C; // "CEVL"

    /// <summary>An append to the application's log in the caller's unit of work; nothing is written before its commit.</summary>
    public DeviceEventAppend Open(CentrumDbContext db, string applicationId) => new(this, db, applicationId);

    internal DateTimeOffset Now => time.GetUtcNow();

    internal void Publish(DeviceEvent deviceEvent) => events.Publish(deviceEvent);

    /// <summary>A new row of the log; its id is assigned when it is saved. The time is now unless the change carries its own.</summary>
    internal DeviceEventEntity NewRow(string applicationId, DeviceEventKind kind, string deviceId, JsonNode? data, string? moduleId, DateTimeOffset? time) => new()
    {
        ApplicationId = applicationId,
        DeviceId = deviceId,
        ModuleId = moduleId,
        Kind = kind.ToString(),
        Time = ToMicroseconds(time ?? Now),
        Data = data?.ToJsonString(),
    };

    /// <summary>
    /// PostgreSQL keeps times to the microsecond (PostgreSQL documentation, "Date/Time Types": timestamp resolution is
    /// 1 microsecond), .NET to 100 ns; an event published with the finer time would differ from the same event read
    /// back from the log, so every event's time is cut to the microsecond on both stores.
    /// </summary>
    private static DateTimeOffset ToMicroseconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMicrosecond));

    /// <summary>
    /// A stable 32-bit key for an application (FNV-1a over its UTF-16 id): every process of a deployment must lock the
    /// same key for the same application, which <see cref="string.GetHashCode()"/> (randomised per process) does not give.
    /// Two applications sharing a key only wait for each other; order within each stays correct.
    /// </summary>
    internal static int LockKey(string applicationId)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        foreach (var c in applicationId)
        {
            hash = (hash ^ c) * prime;
        }

        return unchecked((int)hash);
    }

    /// <summary>Rows per prune statement: each is one short SQLite write transaction, so other writers wait little.</summary>
    private const int PruneBatchSize = 1_000;

    /// <summary>
    /// Deletes events of <paramref name="kind"/> older than <paramref name="before"/>, oldest first, in small batches and
    /// at most <paramref name="budget"/>; returns how many went. Events are appended with the time of their cause, so
    /// ids grow with time and a pass stops at the first event that is still young. The log is this area's table, so a
    /// retention elsewhere (the identity area's audit entries) asks here instead of deleting rows itself.
    /// </summary>
    public static async Task<int> PruneAsync(
        IDbContextFactory<CentrumDbContext> contexts, DeviceEventKind kind, DateTimeOffset before, int budget, CancellationToken cancellationToken)
    {
        var name = kind.ToString();
        var deleted = 0;
        var after = 0L;
        while (deleted < budget)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var take = Math.Min(PruneBatchSize, budget - deleted);
            var batch = await db.DeviceEvents.AsNoTracking()
                .Where(e => e.Kind == name && e.Id > after)
                .OrderBy(e => e.Id)
                .Take(take)
                .Select(e => new { e.Id, e.Time })
                .ToListAsync(cancellationToken);
            var expired = batch.TakeWhile(e => e.Time < before).Select(e => e.Id).ToList();
            if (expired.Count > 0)
            {
                deleted += await db.DeviceEvents.Where(e => expired.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
                after = expired[^1];
            }

            if (expired.Count < take)
            {
                break;
            }
        }

        return deleted;
    }
}
