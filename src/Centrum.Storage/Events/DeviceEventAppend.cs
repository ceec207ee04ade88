using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Centrum.Storage.Events;

/// <summary>
/// One unit of work's events: appended to the caller's <see cref="CentrumDbContext"/>, written with its change by
/// <see cref="CommitAsync"/>, published after the commit. The ordering rule is in <see cref="DeviceEventLog"/>.
/// </summary>
public sealed class DeviceEventAppend : IAsyncDisposable
{
    private readonly DeviceEventLog _log;
    private readonly CentrumDbContext _db;
    private readonly string _applicationId;
    private readonly List<(DeviceEventKind Kind, DeviceEventEntity Row, JsonNode? Data, string? Component)> _pending = [];
    private IDbContextTransaction? _transaction;
    private bool _locked;

    internal DeviceEventAppend(DeviceEventLog log, CentrumDbContext db, string applicationId)
    {
        _log = log;
        _db = db;
        _applicationId = applicationId;
    }

    /// <summary>
    /// Starts the transaction now, for a unit of work that writes before it appends (<c>ExecuteUpdate</c>,
    /// <c>ExecuteDelete</c>): on PostgreSQL the application's ordering lock is taken first, so it is never requested
    /// while the transaction already holds row locks another writer might wait for. A unit of work that only adds
    /// tracked changes does not need it: <see cref="CommitAsync"/> starts the transaction itself.
    /// </summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        _transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(cancellationToken);
    }

    /// <summary>
    /// Adds an event to the unit of work; its id (the event's sequence) is known after <see cref="CommitAsync"/>. The
    /// event's time is now unless the change carries its own (<paramref name="time"/>, the same instant as its metadata).
    /// </summary>
    public DeviceEventEntity Append(DeviceEventKind kind, string deviceId, JsonNode? data, string? moduleId = null, string? component = null, DateTimeOffset? time = null)
    {
        var row = _log.NewRow(_applicationId, kind, deviceId, data, moduleId, time);
        _db.DeviceEvents.Add(row);
        _pending.Add((kind, row, data, component));
        return row;
    }

    /// <summary>
    /// Saves the caller's changes and the appended events in one transaction, commits it, then publishes the events in
    /// id order. Exceptions of <see cref="DbContext.SaveChangesAsync(CancellationToken)"/> reach the caller unchanged,
    /// with nothing committed and nothing published.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is null && _db.Database.CurrentTransaction is not null)
        {
            // A transaction begun elsewhere could already hold row locks when the ordering lock is requested.
            throw new InvalidOperationException("Begin the transaction of a unit of work that appends device events with DeviceEventAppend.BeginAsync.");
        }

        if (_transaction is null && _pending.Count > 0 && NeedsOrderingLock)
        {
            _transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        }

        if (_pending.Count > 0)
        {
            await LockAsync(cancellationToken);
        }

        await _db.SaveChangesAsync(cancellationToken);
        if (_transaction is not null)
        {
            await _transaction.CommitAsync(cancellationToken);
        }

        foreach (var (kind, row, data, component) in _pending.OrderBy(p => p.Row.Id))
        {
            _log.Publish(new DeviceEvent(kind, row.ApplicationId, row.DeviceId, row.Id, row.Time, data, row.ModuleId, component));
        }

        _pending.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }
    }

    /// <summary>SQLite serialises writers itself (one write transaction at a time), so only PostgreSQL needs the lock.</summary>
    private bool NeedsOrderingLock => _db.Database.IsNpgsql();

    private async Task LockAsync(CancellationToken cancellationToken)
    {
        if (_locked || !NeedsOrderingLock)
        {
            return;
        }

        var key = DeviceEventLog.LockKey(_applicationId);
        await _db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({DeviceEventLog.AdvisoryLockSpace}, {key})", cancellationToken);
        _locked = true;
    }
}
