using System.Globalization;
using Centrum.Telemetry.Internal;
using DuckDB.NET.Data;

namespace Centrum.QueryBench;

/// <summary>
/// Checks a seeded store's rollups against the raw rows: every raw value counted once in each rollup table, and for a
/// sample of devices and hours every rollup key's summary (rows of one key added up, as the query service reads them)
/// equal to an aggregate written here over the raw rows, independently of the roller's statement. Sums may differ in
/// the last bits with the order DuckDB adds in, so they compare within 1e-9 relative; everything else exactly.
/// </summary>
internal static class RollupCheck
{
    private const int SampleDevices = 8;

    private const int SampleHours = 6;

    public static RollupCheckReport Run(DuckDBConnection connection, SeedSettings settings, long baseSequence, long points, TextWriter progress)
    {
        foreach (var width in RollupWidth.All)
        {
            var counted = TelemetrySeeder.Scalar(connection,
                $"SELECT CAST(coalesce(sum(value_count), 0) AS BIGINT) FROM {width.Table} WHERE first_seq > $base", ("base", baseSequence));
            if (counted != points)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{width.Table} counts {counted:N0} seeded values, the seed wrote {points:N0}"));
            }
        }

        var devices = Enumerable.Range(0, SampleDevices).Select(i => (long)i * settings.Devices / SampleDevices).Distinct()
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"'bench-{d:D5}'"));
        TelemetrySeeder.Execute(connection, $"CREATE OR REPLACE TEMP TABLE check_devices AS SELECT * FROM (VALUES ({string.Join("), (", devices)})) v(id)");
        var hours = settings.Days * 24L;
        long keys = 0;
        foreach (var hour in Enumerable.Range(0, SampleHours).Select(i => i * (hours - 1) / (SampleHours - 1)).Distinct())
        {
            var from = settings.Start.AddHours(hour);
            foreach (var width in RollupWidth.All)
            {
                using var command = TelemetrySeeder.Command(connection, Compare(width.Table),
                    ("width", width.Microseconds), ("from", from), ("to", from.AddHours(1)));
                using var reader = command.ExecuteReader();
                reader.Read();
                var (compared, differing) = (reader.GetInt64(0), reader.GetInt64(1));
                if (differing > 0 || compared == 0)
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"{width.Table} differs from the raw rows in {differing} of {compared} keys of the hour from {from:O}: {reader.GetValue(2)}"));
                }

                keys += compared;
            }
        }

        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rollups checked: both tables count all {points:N0} values; {keys:N0} keys of {SampleDevices} devices in {SampleHours} hours equal the raw aggregates"));
        return new RollupCheckReport(points, keys);
    }

    private static string Compare(string table) => $"""
        WITH raw AS (
            SELECT time_bucket(to_microseconds($width), enqueued_time) AS bucket, device_id, coalesce(module_id, '') AS module,
                   coalesce(component, '') AS comp, name, count(*) AS n, count(value_number) AS numbers, sum(value_number) AS total,
                   min(value_number) AS low, max(value_number) AS high, min(seq) AS first_seq, arg_min(value_json, seq) AS first_json,
                   max(seq) AS last_seq, arg_max(value_json, seq) AS last_json
            FROM telemetry
            WHERE enqueued_time >= $from AND enqueued_time < $to AND device_id IN (SELECT id FROM check_devices)
            GROUP BY ALL),
        rolled AS (
            SELECT bucket, device_id, coalesce(module_id, '') AS module, coalesce(component, '') AS comp, name,
                   sum(value_count) AS n, sum(number_count) AS numbers, sum(number_sum) AS total, min(number_min) AS low,
                   max(number_max) AS high, min(first_seq) AS first_seq, arg_min(first_json, first_seq) AS first_json,
                   max(last_seq) AS last_seq, arg_max(last_json, last_seq) AS last_json
            FROM {table}
            WHERE bucket >= $from AND bucket < $to AND device_id IN (SELECT id FROM check_devices)
            GROUP BY ALL),
        paired AS (
            SELECT raw.bucket IS NULL OR rolled.bucket IS NULL OR raw.n <> rolled.n OR raw.numbers <> rolled.numbers
                       OR abs(raw.total - rolled.total) > 1e-9 * greatest(1, abs(raw.total))
                       OR raw.low IS DISTINCT FROM rolled.low OR raw.high IS DISTINCT FROM rolled.high
                       OR raw.first_seq <> rolled.first_seq OR raw.first_json <> rolled.first_json
                       OR raw.last_seq <> rolled.last_seq OR raw.last_json <> rolled.last_json AS differs,
                   coalesce(raw.device_id, rolled.device_id) || ' ' || CAST(coalesce(raw.bucket, rolled.bucket) AS VARCHAR) AS key
            FROM raw FULL OUTER JOIN rolled
              ON raw.bucket = rolled.bucket AND raw.device_id = rolled.device_id AND raw.module = rolled.module
             AND raw.comp = rolled.comp AND raw.name = rolled.name)
        SELECT count(*), count(*) FILTER (WHERE differs), coalesce(first(key) FILTER (WHERE differs), '') FROM paired
        """;
}

internal sealed record RollupCheckReport(long Values, long KeysCompared);
