using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Centrum.Edge.Internal;

namespace Centrum.Edge.Buffering;

/// <summary>
/// The edge's store and forward: every message routed to an endpoint is committed here before its sender is
/// acknowledged, and stays until that endpoint has taken it or its time to live has passed. One writer commits what
/// concurrent appenders hand it in one transaction (group commit) and answers each after the commit; deliveries read
/// beside it and leave in the order the messages were stored, per endpoint.
/// </summary>
/// <remarks>
/// SQLite in write-ahead-log mode with <c>synchronous=FULL</c>: a commit returns after the log is synced, so a
/// committed message survives a crash of the process or the machine (SQLite, "Write-Ahead Logging" and
/// "PRAGMA synchronous"). Sequence numbers come from <c>AUTOINCREMENT</c>, so they never go back even when the
/// table empties (SQLite, "SQLite Autoincrement"): a delivery's cursor never passes over a newer message.
/// </remarks>
public sealed class MessageStore : IAsyncDisposable
{
    /// <summary>IoT Hub's largest device-to-cloud message (IoT Hub quotas and throttling: 256 KB).</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            endpoint TEXT NOT NULL,
            enqueued_ms INTEGER NOT NULL,
            source TEXT NOT NULL,
            properties TEXT NOT NULL,
            body BLOB NOT NULL,
            size INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS messages_by_endpoint ON messages (endpoint, seq);
        CREATE INDEX IF NOT EXISTS messages_by_age ON messages (enqueued_ms);
        """;

    private readonly MessageStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeMetrics _metrics;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Channel<Write> _writes;
    private readonly Task _writeLoop;
    private readonly Lock _signalLock = new();
    private TaskCompletionSource _stored = NewSignal();
    private long _bytes;
    private long _count;
    private int _disposed;

    private MessageStore(MessageStoreOptions options, EdgeMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        TimeToLive = options.TimeToLive;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = options.Path, Pooling = true }.ToString();
        _writer = Open();
        Execute(_writer, Schema);
        using (var totals = _writer.CreateCommand())
        {
            totals.CommandText = "SELECT count(*), coalesce(sum(size), 0) FROM messages";
            using var reader = totals.ExecuteReader();
            reader.Read();
            _count = reader.GetInt64(0);
            _bytes = reader.GetInt64(1);
        }

        _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writeLoop = Task.Run(WriteLoopAsync);
        metrics.Held = () => (Count, Bytes);
    }

    /// <summary>Messages kept now.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Bytes of messages kept now (what <see cref="MessageStoreOptions.MaxBytes"/> bounds).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The time to live in force: the deployment's <c>$edgeHub</c> desired properties may change it while the edge runs.</summary>
    public TimeSpan TimeToLive { get; set; }

    /// <summary>Opens (or creates) the store at <see cref="MessageStoreOptions.Path"/>; what an earlier run kept is there to deliver.</summary>
    public static MessageStore Open(MessageStoreOptions options, EdgeMetrics metrics, TimeProvider time, ILogger<MessageStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var store = new MessageStore(options, metrics, time, logger);
        Log.StoreOpened(logger, store.Count, store.Bytes);
        return store;
    }

    /// <summary>
    /// Stores <paramref name="message"/> for <paramref name="endpoint"/>. Completes with <see cref="AppendOutcome.Stored"/>
    /// only once the message is committed; the caller acknowledges its sender then and not before.
    /// </summary>
    public async ValueTask<AppendOutcome> AppendAsync(string endpoint, EdgeMessage message, CancellationToken cancellationToken)
    {
        var commit = await SubmitAsync(endpoint, message, cancellationToken).ConfigureAwait(false);
        return await commit.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands <paramref name="message"/> to the writer, waiting only for room in its queue (backpressure), and returns
    /// the commit's outcome to wait on: a connection keeps reading while the messages it received are committed, and
    /// acknowledges each once its commit says <see cref="AppendOutcome.Stored"/>.
    /// </summary>
    public async ValueTask<Task<AppendOutcome>> SubmitAsync(string endpoint, EdgeMessage message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Body.Length > MaxMessageBytes)
        {
            return Task.FromResult(AppendOutcome.TooLarge);
        }

        var write = new Write(WriteKind.Append, endpoint, message, 0);
        await _writes.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        return write.Done.Task;
    }

    /// <summary>
    /// Up to <paramref name="max"/> messages of <paramref name="endpoint"/> stored after sequence <paramref name="after"/>,
    /// oldest first. A delivery starts at 0 (what is still here was never taken) and moves its cursor past what it read.
    /// </summary>
    public IReadOnlyList<BufferedMessage> Read(string endpoint, long after, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, enqueued_ms, source, properties, body FROM messages WHERE endpoint = $endpoint AND seq > $after ORDER BY seq LIMIT $max";
        command.Parameters.AddWithValue("$endpoint", endpoint);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        var messages = new List<BufferedMessage>();
        while (reader.Read())
        {
            messages.Add(new BufferedMessage(
                reader.GetInt64(0),
                endpoint,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                new EdgeMessage(reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4))));
        }

        return messages;
    }

    /// <summary>
    /// Waits until <paramref name="endpoint"/> has a message after <paramref name="after"/> and returns up to
    /// <paramref name="max"/> of them, as <see cref="Read"/> does.
    /// </summary>
    public async Task<IReadOnlyList<BufferedMessage>> ReadAsync(string endpoint, long after, int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task stored;
            lock (_signalLock)
            {
                stored = _stored.Task;
            }

            // The signal is taken before reading: a commit between the read and the wait completes it, so nothing is missed.
            var messages = Read(endpoint, after, max);
            if (messages.Count > 0)
            {
                return messages;
            }

            await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint has taken every message up to and including <paramref name="sequence"/>: they leave the store once committed.</summary>
    public Task RemoveThroughAsync(string endpoint, long sequence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        return EnqueueAsync(new Write(WriteKind.Remove, endpoint, null, sequence), cancellationToken);
    }

    /// <summary>Drops the messages older than the time to live, as IoT Edge's hub does; returns how many went.</summary>
    public async Task<long> ExpireAsync(CancellationToken cancellationToken)
    {
        var write = new Write(WriteKind.Expire, null, null, (_time.GetUtcNow() - TimeToLive).ToUnixTimeMilliseconds());
        await EnqueueAsync(write, cancellationToken).ConfigureAwait(false);
        return write.Removed;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writes.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        lock (_signalLock)
        {
            _stored.TrySetCanceled();
        }
    }

    private async Task EnqueueAsync(Write write, CancellationToken cancellationToken)
    {
        await _writes.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        await write.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(_options.MaxBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && _writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                Commit(batch);
            }
            catch (SqliteException ex)
            {
                // Nothing of the batch was kept (its transaction rolled back): every caller hears so, none is acknowledged.
                Log.CommitFailed(_logger, ex, batch.Count);
                foreach (var write in batch)
                {
                    write.Done.TrySetException(new IOException("The edge's message store could not commit; nothing was stored.", ex));
                }
            }
        }
    }

    private void Commit(List<Write> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long bytes = _bytes, count = _count, delivered = 0, expired = 0;
        int stored = 0, refused = 0;
        using (var transaction = _writer.BeginTransaction())
        {
            using var insert = Command(_writer, transaction, "INSERT INTO messages (endpoint, enqueued_ms, source, properties, body, size) VALUES ($endpoint, $now, $source, $properties, $body, $size)");
            foreach (var write in batch)
            {
                switch (write.Kind)
                {
                    case WriteKind.Append when bytes + write.Message!.Size > _options.MaxBytes:
                        write.Outcome = AppendOutcome.Full;
                        refused++;
                        break;
                    case WriteKind.Append:
                        insert.Parameters.Clear();
                        insert.Parameters.AddWithValue("$endpoint", write.Endpoint);
                        insert.Parameters.AddWithValue("$now", now);
                        insert.Parameters.AddWithValue("$source", write.Message!.Source);
                        insert.Parameters.AddWithValue("$properties", write.Message.Properties);
                        insert.Parameters.AddWithValue("$body", write.Message.Body.ToArray());
                        insert.Parameters.AddWithValue("$size", write.Message.Size);
                        insert.ExecuteNonQuery();
                        bytes += write.Message.Size;
                        count++;
                        write.Outcome = AppendOutcome.Stored;
                        stored++;
                        break;
                    default:
                        var (removed, removedBytes) = Delete(transaction, write);
                        write.Removed = removed;
                        delivered += write.Kind == WriteKind.Remove ? removed : 0;
                        expired += write.Kind == WriteKind.Expire ? removed : 0;
                        count -= removed;
                        bytes -= removedBytes;
                        break;
                }
            }

            transaction.Commit();
        }

        Interlocked.Exchange(ref _bytes, bytes);
        Interlocked.Exchange(ref _count, count);
        _metrics.Committed(batch.Count, stored, refused, Stopwatch.GetElapsedTime(started));
        _metrics.Removed(delivered, expired);
        foreach (var write in batch)
        {
            if (write.Kind == WriteKind.Append && write.Outcome == AppendOutcome.Full)
            {
                Log.Refused(_logger, write.Endpoint!, write.Message!.Source, bytes, _options.MaxBytes);
            }

            write.Done.TrySetResult(write.Outcome);
        }

        if (stored > 0)
        {
            lock (_signalLock)
            {
                _stored.TrySetResult();
                _stored = NewSignal();
            }
        }
    }

    private (long Count, long Bytes) Delete(SqliteTransaction transaction, Write write)
    {
        var where = write.Kind == WriteKind.Remove ? "endpoint = $endpoint AND seq <= $value" : "enqueued_ms < $value";
        using var totals = Command(_writer, transaction, $"SELECT count(*), coalesce(sum(size), 0) FROM messages WHERE {where}");
        using var delete = Command(_writer, transaction, $"DELETE FROM messages WHERE {where}");
        foreach (var command in new[] { totals, delete })
        {
            if (write.Endpoint is { } endpoint)
            {
                command.Parameters.AddWithValue("$endpoint", endpoint);
            }

            command.Parameters.AddWithValue("$value", write.Value);
        }

        long removed, removedBytes;
        using (var reader = totals.ExecuteReader())
        {
            reader.Read();
            removed = reader.GetInt64(0);
            removedBytes = reader.GetInt64(1);
        }

        delete.ExecuteNonQuery();
        if (write.Kind == WriteKind.Expire && removed > 0)
        {
            Log.Expired(_logger, removed, TimeToLive.TotalSeconds);
        }

        return (removed, removedBytes);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL lets deliveries read while the writer commits; FULL syncs the log at each commit (see the remarks above).
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private enum WriteKind
    {
        Append,
        Remove,
        Expire,
    }

    /// <summary>One piece of work for the writer: its caller waits on <see cref="Done"/>, which completes after the commit.</summary>
    private sealed class Write(WriteKind kind, string? endpoint, EdgeMessage? message, long value)
    {
        public WriteKind Kind { get; } = kind;

        public string? Endpoint { get; } = endpoint;

        public EdgeMessage? Message { get; } = message;

        /// <summary>The last sequence to remove, or the enqueue time (Unix ms) before which messages expire.</summary>
        public long Value { get; } = value;

        public AppendOutcome Outcome { get; set; }

        public long Removed { get; set; }

        public TaskCompletionSource<AppendOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
