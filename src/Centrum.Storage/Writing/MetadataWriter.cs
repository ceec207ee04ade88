using System.Diagnostics;
using System.Threading.Channels;
using Centrum.Events;
using Centrum.Storage.Events;
using Centrum.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Storage.Writing;

/// <summary>
/// Group commit for the metadata store: many callers' small writes (a device's reported patch, a command's record) in
/// one durable transaction. Callers queue a write into a bounded channel; the single writer takes what has queued (up to
/// <see cref="MetadataWriterOptions.MaxBatchSize"/>), lets each write add its changes and device events to one context,
/// saves and commits once, publishes the events in id order, and only then completes the callers' tasks, so nobody is
/// answered before the change is on disk, and one synced commit serves the whole batch instead of one each.
/// <para>
/// A batch whose commit fails is not acknowledged; it is then split in halves, each tried in a transaction of its own
/// and split again while it fails, so a write the store refuses (a twin of a device deleted meanwhile breaks its
/// foreign key) fails alone and the others are kept. Callers that must not see each other's changes interleaved hold their own locks around the write (the twins
/// area's per-twin lock): this writer never reorders two writes of one caller, and commits a batch all or nothing.
/// </para>
/// <para>
/// The device-event ordering rule of <see cref="DeviceEventLog"/> holds: on PostgreSQL the batch takes the advisory
/// lock of every application it writes, in ascending key order, before its first write, so two batch writers (or a
/// batch and a unit of work of one application, which takes one such lock first) can never wait on each other in a
/// cycle; on SQLite the one write transaction orders ids by itself.
/// </para>
/// </summary>
public sealed class MetadataWriter : IAsyncDisposable
{
    /// <summary>How long a stop waits for queued writes to commit before it gives up on them (not acknowledged).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly IDbContextFactory<CentrumDbContext> _contexts;
    private readonly DeviceEventLog _eventLog;
    private readonly MetadataWriterOptions _options;
    private readonly MetadataWriterMetrics _metrics;
    private readonly ILogger<MetadataWriter> _logger;
    private readonly Channel<PendingWrite> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writerTask;

    public MetadataWriter(
        IDbContextFactory<CentrumDbContext> contexts, DeviceEventLog eventLog, IOptions<MetadataWriterOptions> options, MetadataWriterMetrics metrics, ILogger<MetadataWriter> logger)
    {
        _contexts = contexts;
        _eventLog = eventLog;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _metrics.QueueDepth = () => _queue.Reader.Count;
        _writerTask = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Queues a write and completes when it is committed; throws what the store said when it was not. <paramref name="apply"/>
    /// adds the caller's changes to the unit's context and appends its events; it may run more than once (again, in a
    /// fresh context, when its batch failed), so it must only add what it describes and not depend on an earlier run.
    /// A cancellation takes effect only while the write still waits in the queue: once taken, the caller waits for
    /// the commit, so a caller holding a lock around its write never lets go of it before the write's fate is known.
    /// </summary>
    /// <exception cref="MetadataWriterStoppedException">The writer has stopped (the server is shutting down).</exception>
    public Task WriteAsync(string applicationId, Action<MetadataWriteUnit> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return WriteAsync(applicationId, (unit, _) =>
        {
            apply(unit);
            return ValueTask.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>
    /// Queues a write that reads or changes the store as it is applied, in the batch's transaction (an update by key, an
    /// insert unless the row exists, a check that a key is still free), and completes when it is committed. Statements it
    /// executes take effect at once in the transaction, in the order the batch's writes are applied (the order they were
    /// queued); what it adds to the context is saved with the batch at its end. The rules of the other overload hold:
    /// <paramref name="apply"/> may run again in a fresh transaction when its batch failed, so it decides afresh each time
    /// (and whatever it reports back to its caller is what its last run saw), and a cancellation only withdraws a write
    /// still queued. An exception it throws fails its batch, which is then split and retried in smaller parts: a write refuses only
    /// itself by throwing, so one that expects to refuse (a key already taken) says so in what it reports instead.
    /// </summary>
    /// <exception cref="MetadataWriterStoppedException">The writer has stopped (the server is shutting down).</exception>
    public Task WriteAsync(string applicationId, Func<MetadataWriteUnit, CancellationToken, ValueTask> apply, CancellationToken cancellationToken) =>
        WriteAsync(applicationId, null, apply, cancellationToken);

    /// <summary>
    /// Queues a write that needs to know whether <paramref name="key"/> exists (a create that must not replace, a
    /// registration that creates its device the first time): <see cref="MetadataWriteUnit.Exists"/> answers it from one
    /// read the batch makes for all its writes' keys of that lookup (<see cref="MetadataBatchLookup"/>), kept current by
    /// the batch's earlier writes, instead of one read per write on the writer's serial path. Otherwise as the overload above.
    /// </summary>
    /// <exception cref="MetadataWriterStoppedException">The writer has stopped (the server is shutting down).</exception>
    public async Task WriteAsync(string applicationId, MetadataBatchKey? key, Func<MetadataWriteUnit, CancellationToken, ValueTask> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        var pending = new PendingWrite(applicationId, key, apply);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new MetadataWriterStoppedException();
        }

        await using (cancellationToken.Register(static state => Withdraw((PendingWrite)state!), pending))
        {
            await pending.Task;
        }
    }

    private static void Withdraw(PendingWrite pending)
    {
        if (pending.TryWithdraw())
        {
            pending.TrySetCanceled();
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(Math.Min(_options.MaxBatchSize, 1024));
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                if (_options.MaxBatchDelay > TimeSpan.Zero && reader.Count < _options.MaxBatchSize)
                {
                    await Task.Delay(_options.MaxBatchDelay, _stopping.Token);
                }

                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var write))
                {
                    if (write.TryTake())
                    {
                        batch.Add(write);
                    }
                }

                if (batch.Count > 0)
                {
                    await CommitBatchAsync(batch, _stopping.Token);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        // What is still queued was never committed: its callers are told, nothing of it is acknowledged.
        var left = 0;
        while (reader.TryRead(out var write))
        {
            if (write.TryTake())
            {
                write.TrySetException(new MetadataWriterStoppedException());
                left++;
            }
        }

        if (left > 0)
        {
            Log.StoppedWithWrites(_logger, left);
        }
    }

    /// <summary>
    /// Commits <paramref name="writes"/> as one transaction. When that fails, which write broke it is not known (a
    /// constraint names no caller), so the writes are split in halves, in order, and each half is committed the same
    /// way: a refused write costs itself and about log2(n) retried transactions of its neighbours, where trying every
    /// write alone would cost n synced commits for the batch that happened to hold it.
    /// </summary>
    private async Task CommitBatchAsync(List<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        List<PendingEvent> committed;
        try
        {
            committed = await CommitAsync(writes, cancellationToken);
        }
        catch (Exception ex) when (writes.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            Log.BatchSplit(_logger, ex, writes.Count);
            var half = writes.Count / 2;
            await CommitBatchAsync(writes.GetRange(0, half), cancellationToken);
            await CommitBatchAsync(writes.GetRange(half, writes.Count - half), cancellationToken);
            return;
        }
        catch (Exception ex)
        {
            foreach (var write in writes)
            {
                Fail(write, ex);
            }

            return;
        }

        // Committed: from here on nothing is retried, whatever happens while the callers are answered.
        _metrics.Committed(writes.Count, Stopwatch.GetElapsedTime(started));
        Publish(committed);
        foreach (var write in writes)
        {
            write.TrySetResult();
        }
    }

    private void Fail(PendingWrite write, Exception exception)
    {
        if (exception is DbUpdateException)
        {
            Log.WriteRefused(_logger, exception, write.ApplicationId);
        }
        else if (exception is not OperationCanceledException)
        {
            Log.WriteFailed(_logger, exception, write.ApplicationId);
        }

        _metrics.Failed(1);
        write.TrySetException(exception);
    }

    /// <summary>
    /// Every write's changes and events in one transaction; answers the events it committed. They are published by the
    /// caller once the commit has returned, outside the retry: a committed batch is never applied a second time.
    /// </summary>
    private async Task<List<PendingEvent>> CommitAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var events = new List<PendingEvent>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            foreach (var key in writes.Select(w => DeviceEventLog.LockKey(w.ApplicationId)).Distinct().Order())
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({DeviceEventLog.AdvisoryLockSpace}, {key})", cancellationToken);
            }
        }

        var answers = await BatchAnswers.ReadAsync(db, writes, cancellationToken);
        foreach (var write in writes)
        {
            await write.Apply(new MetadataWriteUnit(db, _eventLog, write.ApplicationId, events, answers), cancellationToken);
        }

        await MultiRowInsert.InsertAsync(db, events, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return events;
    }

    /// <summary>The committed events, in id order.</summary>
    private void Publish(List<PendingEvent> events)
    {
        foreach (var e in events.OrderBy(e => e.Row.Id))
        {
            _eventLog.Publish(new DeviceEvent(e.Kind, e.Row.ApplicationId, e.Row.DeviceId, e.Row.Id, e.Row.Time, e.Data, e.Row.ModuleId, e.Component));
        }
    }

    /// <summary>Stops taking writes, commits what is queued (for at most <see cref="DrainTimeout"/>), and fails the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_writerTask, Task.Delay(DrainTimeout)) != _writerTask)
        {
            await _stopping.CancelAsync();
            await _writerTask;
        }

        _stopping.Dispose();
    }
}
