using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Centrum.Telemetry.Internal;
using DuckDB.NET.Data;

namespace Centrum.QueryBench;

/// <summary>
/// Seeds an application's telemetry database directly, in the shape the writer stores: per device and interval one
/// <c>messages</c> row (the JSON body whole) and one <c>telemetry</c> row (<c>temperature</c>, modeled), with seq
/// increasing in enqueued-time order and the devices spread evenly over each interval, as a fleet's messages arrive.
/// Rows are generated inside DuckDB, whole hours per transaction, and each transaction also writes the rollup rows of
/// its hours with the roller's own statement (<see cref="TelemetryRoller.Summarize"/>); the watermarks move to the last
/// seeded seq at the end, so the server finds everything rolled and neither rolls it again nor misses any of it.
/// </summary>
internal static class TelemetrySeeder
{
    // r numbers the rows of the whole seed: interval step r / devices, device r % devices. The value is a daily cycle
    // per device plus hash noise, rounded to two decimals as thermometers report.
    private const string Rows = """
        SELECT $base + r + 1 AS seq,
               $start + to_microseconds((r // $devices) * $step + (r % $devices) * $spread) AS ts,
               'bench-' || lpad(CAST(r % $devices AS VARCHAR), 5, '0') AS id,
               round(20 + 5 * sin(2 * pi() * (((r // $devices) * $interval) % 86400) / 86400 + r % $devices)
                     + CAST(hash(r) % 100 AS DOUBLE) / 100, 2) AS v
        FROM (SELECT $from + i AS r FROM seed_rows WHERE i < $to - $from)
        """;

    private const string InsertTelemetry = $$"""
        INSERT INTO telemetry (seq, enqueued_time, device_id, module_id, component, name, value_number, value_json, modeled)
        SELECT seq, ts, id, NULL, NULL, 'temperature', v, CAST(v AS VARCHAR), true FROM ({{Rows}})
        """;

    // The messages of a chunk are read back from its telemetry rows rather than generated again: reading the values
    // and ids costs less than computing them, and the body is the value's JSON text as the telemetry row holds it.
    private const string InsertMessages = """
        INSERT INTO messages (seq, enqueued_time, device_id, module_id, component, message_id, correlation_id, content_type,
                              content_encoding, creation_time, properties, body)
        SELECT seq, enqueued_time, device_id, NULL, NULL, NULL, NULL, 'application/json', 'utf-8', NULL, '{}',
               CAST('{"temperature":' || value_json || '}' AS BLOB)
        FROM telemetry WHERE seq > $base + $from AND seq <= $base + $to
        """;

    public static SeedReport Run(SeedSettings settings, TextWriter progress)
    {
        if (3600 % settings.IntervalSeconds != 0)
        {
            throw new ArgumentException("The interval must divide an hour, so each transaction seeds whole hours.", nameof(settings));
        }

        var steps = (long)settings.Days * 86_400 / settings.IntervalSeconds;
        var total = steps * settings.Devices;
        var stepMicroseconds = settings.IntervalSeconds * 1_000_000L;
        var rowsPerHour = 3600L / settings.IntervalSeconds * settings.Devices;
        var chunkRows = Math.Max(1, settings.ChunkRows / rowsPerHour) * rowsPerHour;

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.File))!);
        using var connection = new DuckDBConnection($"Data Source={settings.File}");
        connection.Open();
        Execute(connection, $"SET threads = {settings.Threads.ToString(CultureInfo.InvariantCulture)}");
        Execute(connection, TelemetrySchema.Create);
        var baseSequence = Scalar(connection, "SELECT coalesce(max(seq), 0) FROM messages");
        var behind = Scalar(connection, $"SELECT count(*) FROM rollup_state WHERE seq <> {baseSequence.ToString(CultureInfo.InvariantCulture)}");
        if (behind > 0)
        {
            throw new InvalidOperationException("The store holds rows the roller has not summarized yet; seed a store whose rollups are caught up.");
        }

        // Row numbers come from a table rather than range(): range() is scanned by one thread, a table by all of them.
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE seed_rows AS SELECT range AS i FROM range({chunkRows.ToString(CultureInfo.InvariantCulture)})");
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var rollupSeconds = 0.0;
        for (long from = 0; from < total; from += chunkRows)
        {
            var to = Math.Min(total, from + chunkRows);
            using (var transaction = connection.BeginTransaction())
            {
                Execute(connection, InsertTelemetry,
                    ("base", baseSequence), ("start", settings.Start), ("devices", (long)settings.Devices), ("step", stepMicroseconds),
                    ("spread", stepMicroseconds / settings.Devices), ("interval", (long)settings.IntervalSeconds), ("from", from), ("to", to));
                Execute(connection, InsertMessages, ("base", baseSequence), ("from", from), ("to", to));

                var rolling = Stopwatch.GetTimestamp();
                foreach (var width in RollupWidth.All)
                {
                    Execute(connection, TelemetryRoller.Summarize(width),
                        ("width", width.Microseconds), ("w", baseSequence + from), ("upper", baseSequence + to));
                }

                rollupSeconds += Stopwatch.GetElapsedTime(rolling).TotalSeconds;
                transaction.Commit();
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30) || to == total)
            {
                lastReport = clock.Elapsed;
                var rate = to / clock.Elapsed.TotalSeconds;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seeded {to:N0} of {total:N0} points ({rate:N0}/s, {rollupSeconds:N0} s of it rolling up), {(total - to) / rate / 60:N1} min left"));
            }
        }

        // Every seeded row is in both rollup tables exactly once: the watermarks say so, as a roller pass would.
        Execute(connection, "UPDATE rollup_state SET seq = $upper", ("upper", baseSequence + total));
        Execute(connection, "CHECKPOINT");
        var seconds = clock.Elapsed.TotalSeconds;
        var check = RollupCheck.Run(connection, settings, baseSequence, total, progress);
        connection.Close();
        var bytes = new FileInfo(settings.File).Length + (File.Exists(settings.File + ".wal") ? new FileInfo(settings.File + ".wal").Length : 0);
        return new SeedReport(total, seconds, total / seconds, rollupSeconds, bytes, bytes / (double)total, check);
    }

    internal static void Execute(DuckDBConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    internal static long Scalar(DuckDBConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    internal static DuckDBCommand Command(DuckDBConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        return command;
    }
}

internal sealed record SeedSettings(string File, int Devices, DateTime Start, int Days, int IntervalSeconds, int Threads, long ChunkRows);

internal sealed record SeedReport(
    long Points, double Seconds, double PointsPerSecond, double RollupSeconds, long FileBytes, double BytesPerPoint, RollupCheckReport Check)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}
