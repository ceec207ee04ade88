using System.Diagnostics;
using System.Threading.Channels;
using Centrum.Events;
using Centrum.Queues;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;

namespace Centrum.Telemetry.Internal;

/// <summary>
/// One application's DuckDB database and its single writer. The gateway enqueues into a bounded channel; the writer
/// takes whatever has queued up (up to a batch), appends it in one transaction, commits, and only then completes the
/// publishers' promises, so a PUBACK always follows a durable commit and commits are shared by many messages.
/// </summary>
internal sealed class ApplicationTelemetryStore : IAsyncDisposable
{
    private readonly Channel<PendingMessage> _queue;
    private readonly ByteBudget _queuedBytes;
    private readonly TelemetryOptions _options;
    private readonly TelemetryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IDeviceEvents _events;
    private readonly DuckDBConnection _writeConnection;
    private readonly RecentMessageIds _recentIds;
    private readonly Task _writerTask;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly Task _rollerTask;
    private long _lastSequence;
    private readonly string _walPath;
    private long _checkpointRetryAfter;

    private ApplicationTelemetryStore(
        string applicationId, string path, TelemetryOptions options, TelemetryMetrics metrics, IDeviceEvents events, ILogger logger, TimeProvider time)
    {
        _events = events;
        ApplicationId = applicationId;
        ConnectionString = $"Data Source={path}";
        _walPath = path + ".wal";
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _recentIds = new RecentMessageIds(options.DeduplicationWindow, options.DeduplicationPeriod);
        _queuedBytes = new ByteBudget(options.QueueBytes);
        _queue = Channel.CreateBounded<PendingMessage>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });

        _writeConnection = new DuckDBConnection(ConnectionString);
        _writeConnection.Open();
        Execute($"SET threads = {options.EffectiveDuckDbThreads}");
        // DuckDB checkpoints inside the commit that takes its log past this size; the writer checkpoints between
        // batches long before (see MaybeCheckpoint), so this is only the backstop for other connections' commits.
        Execute($"SET wal_autocheckpoint = '{4 * options.MaxWalBytes / 1024}KiB'");
        Execute(TelemetrySchema.Create);
        _lastSequence = Scalar<long>("SELECT coalesce(max(seq), 0) FROM messages");
        LoadRecentIds();
        _writerTask = Task.Run(WriteLoopAsync);
        Roller = new TelemetryRoller(ConnectionString, applicationId, options.Rollups, metrics, logger);
        _rollerTask = options.Rollups.Enabled ? Task.Run(() => Roller.RunAsync(time, _stopping.Token)) : Task.CompletedTask;
    }

    /// <summary>Summarizes stored telemetry into the rollup tables, behind the writer.</summary>
    public TelemetryRoller Roller { get; }

    public string ApplicationId { get; }

    public string ConnectionString { get; }

    public int QueueDepth => _queue.Reader.Count;

    public long LastSequence => Volatile.Read(ref _lastSequence);

    public static ApplicationTelemetryStore Open(
        string applicationId, string folder, TelemetryOptions options, TelemetryMetrics metrics, IDeviceEvents events, ILogger logger, TimeProvider time)
    {
        Directory.CreateDirectory(folder);
        return new ApplicationTelemetryStore(applicationId, Path.Combine(folder, "telemetry.duckdb"), options, metrics, events, logger, time);
    }

    /// <summary>
    /// Deletes raw rows enqueued before <paramref name="cutoff"/> rounded down to the hour, and the rollup rows of the
    /// buckets before it, in one transaction and never during a roller pass: a bucket is either summarized with all of
    /// its rows or gone with them, so the rollup plan and the raw plan keep answering alike. The newest message stays
    /// in <c>messages</c> so the next sequence number is found after a restart and never reused. Returns the raw rows
    /// deleted.
    /// </summary>
    public async Task<long> DeleteOlderThanAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        var aligned = RollupWidth.Hour.Floor(cutoff);
        await Roller.Gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = OpenReadConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long deleted = 0;
            foreach (var sql in new[]
            {
                "DELETE FROM telemetry WHERE enqueued_time < $cutoff",
                "DELETE FROM messages WHERE enqueued_time < $cutoff AND seq < (SELECT coalesce(max(seq), 0) FROM messages)",
                "DELETE FROM rollup_minute WHERE bucket < $cutoff",
                "DELETE FROM rollup_hour WHERE bucket < $cutoff",
            })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.Add(new DuckDBParameter("cutoff", aligned));
                var rows = await command.ExecuteNonQueryAsync(cancellationToken);
                deleted += sql.Contains("rollup", StringComparison.Ordinal) ? 0 : rows;
            }

            await transaction.CommitAsync(cancellationToken);
            return deleted;
        }
        finally
        {
            Roller.Gate.Release();
        }
    }

    public long QueuedBytes => _queuedBytes.Used;

    /// <summary>Queues the message if both the count and the byte bound have room.</summary>
    public bool TryEnqueue(PendingMessage message)
    {
        if (!_queuedBytes.TryTake(message.Size))
        {
            return false;
        }

        if (_queue.Writer.TryWrite(message))
        {
            return true;
        }

        _queuedBytes.Return(message.Size);
        return false;
    }

    /// <summary>Waits for room by bytes, then by count; the caller bounds the wait.</summary>
    public async ValueTask EnqueueAsync(PendingMessage message, CancellationToken cancellationToken)
    {
        await _queuedBytes.TakeAsync(message.Size, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(message, cancellationToken);
        }
        catch
        {
            _queuedBytes.Return(message.Size);
            throw;
        }
    }

    /// <summary>A read connection on the same database instance (DuckDB allows one writing process, many connections).</summary>
    public DuckDBConnection OpenReadConnection()
    {
        var connection = new DuckDBConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingMessage>(Math.Min(_options.MaxBatchSize, 4096));
        var reader = _queue.Reader;
        try
        {
            while (await WaitForMessagesAsync(reader))
            {
                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                WriteBatch(batch);
                // The bytes come back once the batch is written and its messages can be collected.
                _queuedBytes.Return(batch.Sum(m => m.Size));
                batch.Clear();
                if (WalBytes() >= _options.MaxWalBytes)
                {
                    Checkpoint("bound");
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        // Whatever is still queued was never acknowledged; its publishers will re-send after reconnecting.
        while (reader.TryRead(out var left))
        {
            _queuedBytes.Return(left.Size);
            left.TrySetCanceled();
        }
    }

    private void WriteBatch(List<PendingMessage> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var results = new StoreResult[batch.Count];
        var sequence = _lastSequence;
        var written = 0;
        var spans = TelemetryTracing.Source.HasListeners() ? new Activity?[batch.Count] : null;
        try
        {
            using var transaction = _writeConnection.BeginTransaction();
            using (var messages = _writeConnection.CreateAppender("messages"))
            using (var values = _writeConnection.CreateAppender("telemetry"))
            {
                var batchIds = new Dictionary<(string, string), UInt128>();
                for (var i = 0; i < batch.Count; i++)
                {
                    var pending = batch[i];
                    var m = pending.Message;
                    if (spans is not null && pending.TraceContext.TraceId != default)
                    {
                        spans[i] = TelemetryTracing.StartDetached(TelemetryTracing.CommitSpan, pending.TraceContext);
                    }

                    if (m.MessageId is not null)
                    {
                        if (_recentIds.IsResend(m.DeviceId, m.MessageId, pending.Content, m.EnqueuedTime)
                            || (batchIds.TryGetValue((m.DeviceId, m.MessageId), out var earlier) && earlier == pending.Content))
                        {
                            results[i] = new StoreResult(0, Duplicate: true);
                            continue;
                        }

                        batchIds[(m.DeviceId, m.MessageId)] = pending.Content;
                    }

                    sequence++;
                    written++;
                    results[i] = new StoreResult(sequence, Duplicate: false);
                    var enqueued = m.EnqueuedTime.UtcDateTime;
                    messages.CreateRow()
                        .AppendValue(sequence)
                        .AppendValue(enqueued)
                        .AppendValue(m.DeviceId)
                        .AppendValue(m.ModuleId)
                        .AppendValue(m.Component)
                        .AppendValue(m.MessageId)
                        .AppendValue(m.CorrelationId)
                        .AppendValue(m.ContentType)
                        .AppendValue(m.ContentEncoding)
                        .AppendValue(m.CreationTime?.UtcDateTime)
                        .AppendValue(pending.PropertiesJson)
                        .AppendValue(System.Runtime.InteropServices.MemoryMarshal.AsMemory(m.Body).Span)
                        .AppendValue(TelemetryTracing.ToTraceParent(spans?[i]?.Context ?? pending.TraceContext))
                        .EndRow();

                    foreach (var field in pending.Fields)
                    {
                        values.CreateRow()
                            .AppendValue(sequence)
                            .AppendValue(enqueued)
                            .AppendValue(m.DeviceId)
                            .AppendValue(m.ModuleId)
                            .AppendValue(m.Component)
                            .AppendValue(field.Name)
                            .AppendValue(field.Number)
                            .AppendValue(field.Json)
                            .AppendValue(field.Modeled)
                            .EndRow();
                    }
                }
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            // Nothing of the batch is acknowledged: the publishers' connections close and their devices re-send.
            Log.BatchFailed(_logger, ex, ApplicationId, batch.Count);
            EndSpans(spans, results, batch.Count, ex);
            _metrics.BatchFailed(batch.Count);
            foreach (var item in batch)
            {
                item.TrySetException(new TelemetryStoreException("The telemetry store could not commit the message.", ex));
            }

            return;
        }

        _lastSequence = sequence;
        for (var i = 0; i < batch.Count; i++)
        {
            var m = batch[i].Message;
            if (!results[i].Duplicate)
            {
                if (m.MessageId is not null)
                {
                    _recentIds.Add(m.DeviceId, m.MessageId, batch[i].Content, m.EnqueuedTime);
                }

                _events.Publish(new DeviceEvent(DeviceEventKind.TelemetryStored, ApplicationId, m.DeviceId, results[i].Sequence, m.EnqueuedTime, null, m.ModuleId, m.Component));
            }

            batch[i].TrySetResult(results[i]);
        }

        EndSpans(spans, results, batch.Count, null);

        _metrics.Committed(ApplicationId, written, batch.Count - written, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>How long no message may arrive before the writer counts as idle and checkpoints a grown log.</summary>
    internal static readonly TimeSpan IdleBeforeCheckpoint = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits for the next message; false once the queue is completed. With the log past
    /// <see cref="TelemetryOptions.CheckpointWalBytes"/> and nothing arriving for <see cref="IdleBeforeCheckpoint"/>, it
    /// checkpoints first. An empty queue right after a commit is not idleness: under a steady load every publisher may be
    /// waiting for the PUBACK just sent, and would send again at once into the checkpoint.
    /// </summary>
    private async ValueTask<bool> WaitForMessagesAsync(ChannelReader<PendingMessage> reader)
    {
        if (reader.Count == 0 && WalBytes() >= _options.CheckpointWalBytes)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            idle.CancelAfter(IdleBeforeCheckpoint);
            try
            {
                return await reader.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                Checkpoint("idle");
            }
        }

        return await reader.WaitToReadAsync(_stopping.Token);
    }

    /// <summary>
    /// Checkpoints on the writer's connection between batches, after their publishers were answered: when idle (see
    /// <see cref="WaitForMessagesAsync"/>), or under sustained load once the log passes
    /// <see cref="TelemetryOptions.MaxWalBytes"/> (the messages queued meanwhile wait for that one). DuckDB's own
    /// automatic checkpoint would run inside a commit, and a checkpoint on another connection holds up the writer's
    /// commits all the same (measured: two or three commits completed during a 200 ms checkpoint against about twenty
    /// without one), so the writer runs it itself, when the fewest publishers wait.
    /// </summary>
    private void Checkpoint(string reason)
    {
        if (Stopwatch.GetTimestamp() < _checkpointRetryAfter)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            Execute("CHECKPOINT");
            _metrics.Checkpointed(ApplicationId, reason, Stopwatch.GetElapsedTime(started));
        }
        catch (DuckDBException ex)
        {
            // For example a transaction of another connection still running; nothing is lost, the log only grows.
            Log.CheckpointFailed(_logger, ex, ApplicationId, WalBytes());
            _checkpointRetryAfter = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        }
    }

    private long WalBytes()
    {
        try
        {
            var wal = new FileInfo(_walPath);
            return wal.Exists ? wal.Length : 0;
        }
        catch (IOException)
        {
            // Removed between the two reads by a checkpoint of another connection.
            return 0;
        }
    }

    private void EndSpans(Activity?[]? spans, StoreResult[] results, int batchSize, Exception? failure)
    {
        if (spans is null)
        {
            return;
        }

        for (var i = 0; i < spans.Length; i++)
        {
            if (spans[i] is not { } span)
            {
                continue;
            }

            span.SetTag("centrum.application_id", ApplicationId);
            span.SetTag("centrum.telemetry.batch_size", batchSize);
            if (failure is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            }
            else if (results[i].Duplicate)
            {
                span.SetTag("centrum.telemetry.duplicate", true);
            }
            else
            {
                span.SetTag("centrum.telemetry.sequence", results[i].Sequence);
            }

            span.Stop();
        }
    }

    private void LoadRecentIds()
    {
        if (_options.DeduplicationWindow == 0)
        {
            return;
        }

        // The window is measured from the newest stored message, so the messages stored just before a stop are still
        // recognized when their devices re-send them after the restart.
        using var command = _writeConnection.CreateCommand();
        command.CommandText = """
            SELECT device_id, message_id, enqueued_time, body, properties, module_id, component, creation_time FROM messages
            WHERE message_id IS NOT NULL AND enqueued_time >= (SELECT max(enqueued_time) FROM messages) - to_microseconds($period)
            ORDER BY seq DESC LIMIT $limit
            """;
        command.Parameters.Add(new DuckDBParameter("period", _options.DeduplicationPeriod.Ticks / TimeSpan.TicksPerMicrosecond));
        command.Parameters.Add(new DuckDBParameter("limit", _options.DeduplicationWindow));
        var rows = new List<(string Device, string MessageId, UInt128 Content, DateTimeOffset Time)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                using var body = new MemoryStream();
                if (!reader.IsDBNull(3))
                {
                    using var blob = reader.GetStream(3);
                    blob.CopyTo(body);
                }

                var content = MessageContent.Hash(
                    body.GetBuffer().AsSpan(0, (int)body.Length),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetDateTime(7));
                rows.Add((reader.GetString(0), reader.GetString(1), content, new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc))));
            }
        }

        for (var i = rows.Count - 1; i >= 0; i--)
        {
            _recentIds.Add(rows[i].Device, rows[i].MessageId, rows[i].Content, rows[i].Time);
        }
    }

    private void Execute(string sql)
    {
        using var command = _writeConnection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private T Scalar<T>(string sql)
    {
        using var command = _writeConnection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        // Once: the container disposes a singleton once per registration that hands it out, so a second call comes.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Drain what is queued so a graceful stop acknowledges what it can; give up after a bound.
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_writerTask, Task.Delay(TimeSpan.FromSeconds(10))) != _writerTask)
        {
            await _stopping.CancelAsync();
            await _writerTask;
        }

        await _stopping.CancelAsync();
        await _rollerTask;
        Roller.Dispose();
        await _writeConnection.DisposeAsync();
        _stopping.Dispose();
    }
}
