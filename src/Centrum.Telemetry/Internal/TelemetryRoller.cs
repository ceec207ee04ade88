using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;

namespace Centrum.Telemetry.Internal;

/// <summary>
/// Summarizes an application's <c>telemetry</c> rows into <c>rollup_minute</c> and <c>rollup_hour</c>, behind the
/// writer rather than in its commit.
/// </summary>
/// <remarks>
/// <para>
/// Why behind: the writer's commit is what every QoS 1 publisher waits for (no PUBACK before it). Rolling there would
/// add a grouped aggregate and an update of existing summary rows to every batch, for buckets still open, so the same
/// minute would be rewritten once per batch (tens of times a second at the benchmark's rates). Behind the writer, a
/// pass aggregates each closed bucket once, with DuckDB's vectorized GROUP BY over rows that are still in its buffers,
/// on its own connection (appends and these inserts touch different tables and do not conflict), and queries read the
/// raw rows of whatever is not rolled yet, so lag costs query time, never correctness. Measured catching up on the
/// query benchmark's store (docs/benchmarks.md), it summarized 86.4 million points into both tables at 250,000 points
/// a second on one DuckDB thread of a heavily loaded two-core machine, against a writer that commits 10,000 to 17,000
/// messages a second; keeping up takes it under a tenth of that core, none of it on the PUBACK path.
/// </para>
/// <para>
/// Exactness rests on the sequence number alone: a pass rolls the rows with <c>seq</c> in (watermark, S], appends
/// their summaries and moves the watermark to S in one DuckDB transaction, so a crash anywhere leaves either all of it
/// or none of it, and each row is summarized exactly once. S is chosen just before the first row whose enqueued time
/// lies in a bucket that has not closed by the clock, so in the normal case each bucket is written once. The enqueued
/// time is the gateway's clock at receipt, which is not strictly ordered with <c>seq</c>: concurrent publishers reach
/// the queue in another order than their clock reads, the clock can step back (NTP), and a restarted server may start
/// behind the last stored time. Nothing depends on that order: a row arriving for a bucket already rolled is rolled by a
/// later pass as a second summary row of the same key, which readers add up, and until then queries read it raw
/// (every row above the watermark is read raw whatever its time). A clock far in the future only delays rolling.
/// </para>
/// </remarks>
internal sealed class TelemetryRoller : IDisposable
{
    private readonly string _connectionString;
    private readonly string _applicationId;
    private readonly RollupOptions _options;
    private readonly TelemetryMetrics _metrics;
    private readonly ILogger _logger;
    private DuckDBConnection? _connection;

    public TelemetryRoller(string connectionString, string applicationId, RollupOptions options, TelemetryMetrics metrics, ILogger logger)
    {
        _connectionString = connectionString;
        _applicationId = applicationId;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Held by a pass and by retention, so retention never deletes summaries a pass is about to write.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Called at each step of a pass; a test throws from it to crash the pass there.</summary>
    internal Action<RollStep>? Fault { get; set; }

    /// <summary>
    /// Rolls everything that has closed by <paramref name="now"/>, in steps of at most
    /// <see cref="RollupOptions.MaxMessagesPerPass"/> messages, each its own transaction. Returns the raw values
    /// summarized, counted once however many tables they went into (the most any table took).
    /// </summary>
    public long Roll(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Gate.Wait(cancellationToken);
        try
        {
            var connection = _connection ??= Open();
            long most = 0;
            foreach (var width in RollupWidth.All)
            {
                long rolled, values = 0;
                do
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    rolled = Step(connection, width, now.UtcDateTime);
                    values += rolled;
                }
                while (rolled > 0);

                most = Math.Max(most, values);
                RecordLag(connection, width, now.UtcDateTime);
            }

            return most;
        }
        catch
        {
            // A failed pass may leave the connection inside an aborted transaction; the next pass starts on a new one.
            _connection?.Dispose();
            _connection = null;
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Rolls passes at <see cref="RollupOptions.Interval"/> until stopped.</summary>
    public async Task RunAsync(TimeProvider time, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        var first = true;
        do
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var values = await Task.Run(() => Roll(time.GetUtcNow(), stoppingToken), stoppingToken);
                if (first && values > 0)
                {
                    // What the store held unrolled when it opened: after an upgrade, a bulk load, or a long stop.
                    Log.CaughtUp(_logger, _applicationId, values, Stopwatch.GetElapsedTime(started).TotalSeconds);
                }

                first = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing of the failed step is kept (its transaction rolled back); the next tick starts from the watermark.
                Log.RollFailed(_logger, ex, _applicationId);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>One transaction: choose S, append the summaries of (watermark, S], move the watermark to S.</summary>
    private long Step(DuckDBConnection connection, RollupWidth width, DateTime now)
    {
        var started = Stopwatch.GetTimestamp();
        using var transaction = connection.BeginTransaction();
        var watermark = Scalar(connection, "SELECT seq FROM rollup_state WHERE width_seconds = $width", ("width", width.Seconds)) ?? 0;
        var cap = watermark + _options.MaxMessagesPerPass;
        var closed = width.Floor(now);
        var firstOpen = Scalar(connection, "SELECT min(seq) FROM telemetry WHERE seq > $w AND seq <= $cap AND enqueued_time >= $closed",
            ("w", watermark), ("cap", cap), ("closed", closed));
        // Bounded by the cap, so a step reads only its own range of seq (zone maps skip the rest of the table); a
        // range without telemetry (messages without JSON fields) is passed over to the next row.
        var upper = firstOpen is { } open
            ? open - 1
            : Scalar(connection, "SELECT max(seq) FROM telemetry WHERE seq > $w AND seq <= $cap", ("w", watermark), ("cap", cap))
              ?? (Scalar(connection, "SELECT min(seq) FROM telemetry WHERE seq > $cap", ("cap", cap)) is { } next ? next - 1 : watermark);
        if (upper <= watermark)
        {
            return 0;
        }

        Fault?.Invoke(RollStep.Chosen);
        var values = Execute(connection, Summarize(width), ("width", width.Microseconds), ("w", watermark), ("upper", upper));
        Fault?.Invoke(RollStep.Appended);
        var rolled = Scalar(connection, $"SELECT CAST(coalesce(sum(value_count), 0) AS BIGINT) FROM {width.Table} WHERE first_seq > $w",
            ("w", watermark)) ?? 0;
        Execute(connection, "UPDATE rollup_state SET seq = $upper WHERE width_seconds = $width", ("upper", upper), ("width", width.Seconds));
        Fault?.Invoke(RollStep.WatermarkMoved);
        transaction.Commit();
        Fault?.Invoke(RollStep.Committed);

        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics.Rolled(_applicationId, width.Seconds, rolled, elapsed);
        Log.Rolled(_logger, _applicationId, rolled, width.Seconds, values, upper, elapsed.TotalMilliseconds);
        return rolled;
    }

    /// <summary>
    /// The statement of a step: appends to <paramref name="width"/>'s table the summaries of the <c>telemetry</c> rows
    /// with seq in ($w, $upper], bucketed by $width microseconds. Also run by the query benchmark's seeder, so a store
    /// seeded in bulk holds the summaries the roller itself would write.
    /// </summary>
    internal static string Summarize(RollupWidth width) => $"""
        INSERT INTO {width.Table}
        SELECT time_bucket(to_microseconds($width), enqueued_time) AS bucket, device_id, module_id, component, name,
               count(*), count(value_number), sum(value_number), min(value_number), max(value_number),
               min(seq), arg_min(value_json, seq), max(seq), arg_max(value_json, seq)
        FROM telemetry WHERE seq > $w AND seq <= $upper
        GROUP BY ALL
        """;

    /// <summary>How far the first value not rolled yet lies behind the newest closed bucket, if it does.</summary>
    private void RecordLag(DuckDBConnection connection, RollupWidth width, DateTime now)
    {
        var closed = width.Floor(now);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(enqueued_time) FROM telemetry WHERE seq > (SELECT seq FROM rollup_state WHERE width_seconds = $width)";
        command.Parameters.Add(new DuckDBParameter("width", width.Seconds));
        var oldest = command.ExecuteScalar();
        var lag = oldest is DateTime time && time < closed ? closed - time : TimeSpan.Zero;
        _metrics.RollupLag(_applicationId, width.Seconds, lag);
    }

    private static long? Scalar(DuckDBConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        var result = command.ExecuteScalar();
        return result is null or DBNull ? null : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    private static long Execute(DuckDBConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _connection?.Dispose();
        Gate.Dispose();
    }
}

/// <summary>The steps of a roller transaction, for tests that crash a pass at each.</summary>
internal enum RollStep
{
    Chosen,
    Appended,
    WatermarkMoved,
    Committed,
}
