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
/// Rows are generated inside DuckDB, a chunk per transaction, rather than appended one by one.
/// </summary>
internal static class TelemetrySeeder
{
    // r numbers the rows of the whole seed: interval step r / devices, device r % devices. The value is a daily cycle
    // per device plus hash noise, rounded to two decimals as thermometers report; both tables compute the same value.
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

    private const string InsertMessages = $$"""
        INSERT INTO messages (seq, enqueued_time, device_id, module_id, component, message_id, correlation_id, content_type,
                              content_encoding, creation_time, properties, body)
        SELECT seq, ts, id, NULL, NULL, NULL, NULL, 'application/json', 'utf-8', NULL, '{}',
               CAST('{"temperature":' || CAST(v AS VARCHAR) || '}' AS BLOB)
        FROM ({{Rows}})
        """;

    public static SeedReport Run(SeedSettings settings, TextWriter progress)
    {
        var steps = (long)settings.Days * 86_400 / settings.IntervalSeconds;
        var total = steps * settings.Devices;
        var stepMicroseconds = settings.IntervalSeconds * 1_000_000L;

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.File))!);
        using var connection = new DuckDBConnection($"Data Source={settings.File}");
        connection.Open();
        Execute(connection, $"SET threads = {settings.Threads.ToString(CultureInfo.InvariantCulture)}");
        Execute(connection, TelemetrySchema.Create);
        var baseSequence = Convert.ToInt64(Scalar(connection, "SELECT coalesce(max(seq), 0) FROM messages"), CultureInfo.InvariantCulture);

        // Row numbers come from a table rather than range(): range() is scanned by one thread, a table by all of them.
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE seed_rows AS SELECT range AS i FROM range({settings.ChunkRows.ToString(CultureInfo.InvariantCulture)})");
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        for (long from = 0; from < total; from += settings.ChunkRows)
        {
            var to = Math.Min(total, from + settings.ChunkRows);
            using (var transaction = connection.BeginTransaction())
            {
                foreach (var sql in new[] { InsertTelemetry, InsertMessages })
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    command.Parameters.Add(new DuckDBParameter("base", baseSequence));
                    command.Parameters.Add(new DuckDBParameter("start", settings.Start));
                    command.Parameters.Add(new DuckDBParameter("devices", (long)settings.Devices));
                    command.Parameters.Add(new DuckDBParameter("step", stepMicroseconds));
                    command.Parameters.Add(new DuckDBParameter("spread", stepMicroseconds / settings.Devices));
                    command.Parameters.Add(new DuckDBParameter("interval", (long)settings.IntervalSeconds));
                    command.Parameters.Add(new DuckDBParameter("from", from));
                    command.Parameters.Add(new DuckDBParameter("to", to));
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30) || to == total)
            {
                lastReport = clock.Elapsed;
                var rate = to / clock.Elapsed.TotalSeconds;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seeded {to:N0} of {total:N0} points ({rate:N0}/s), {(total - to) / rate / 60:N1} min left"));
            }
        }

        Execute(connection, "CHECKPOINT");
        var seconds = clock.Elapsed.TotalSeconds;
        connection.Close();
        var bytes = new FileInfo(settings.File).Length + (File.Exists(settings.File + ".wal") ? new FileInfo(settings.File + ".wal").Length : 0);
        return new SeedReport(total, seconds, total / seconds, bytes, bytes / (double)total);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

internal sealed record SeedSettings(string File, int Devices, DateTime Start, int Days, int IntervalSeconds, int Threads, long ChunkRows);

internal sealed record SeedReport(long Points, double Seconds, double PointsPerSecond, long FileBytes, double BytesPerPoint)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}
