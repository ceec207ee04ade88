using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Storage;
using Centrum.Telemetry.Internal;
using Centrum.Telemetry.Query;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// Rollups on real DuckDB: the rollup plan answers exactly as the raw plan on random data and random queries, whatever
/// the roller has reached; a roller crashed at any step neither double-counts nor skips; retention takes summaries with
/// their raw rows.
/// </summary>
public sealed class RollupTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Devices = ["d0", "d1", "d2", "d3", "d4"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-rollup-tests", Guid.NewGuid().ToString("N"));
    private TelemetryIngest _ingest = null!;

    public Task InitializeAsync()
    {
        _ingest = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ingest.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Rollup_plan_equals_raw_plan_on_random_data_windows_aggregates_and_device_filters()
    {
        var random = new Random(19);
        var span = TimeSpan.FromHours(50);
        // Rounds of messages, the roller run between them at a random point of the data's time: some buckets rolled,
        // some open, some rows arriving late for buckets already rolled (times are random within the span).
        for (var round = 0; round < 6; round++)
        {
            await SubmitRandomAsync(random, 400, span);
            Roll(Start + span * random.NextDouble());
        }

        await SubmitRandomAsync(random, 200, span);
        var planned = 0;
        for (var i = 0; i < 150; i++)
        {
            var text = RandomQuery(random, span, out var now);
            var query = QueryParser.Parse(text);
            var raw = new QueryService.Compiler(query, now, new QueryOptions()).Compile();
            var rollup = new QueryService.Compiler(query, now, new QueryOptions(), rollups: true).Compile();
            planned += rollup.RollupSeconds is null ? 0 : 1;
            AssertSameRows(text, await RunAsync(raw), await RunAsync(rollup));
        }

        // Every generated query is one the rollups answer; the test compares plans, not the raw plan with itself.
        Assert.Equal(150, planned);
    }

    [Fact]
    public void Queries_the_rollups_cannot_answer_keep_the_raw_plan()
    {
        foreach (var text in new[]
        {
            "SELECT AVG(temperature) FROM dtmi:t;1 WHERE temperature > 3 GROUP BY WINDOW(PT1H)",
            "SELECT AVG(temperature) FROM dtmi:t;1 WHERE WITHIN_WINDOW(P1D) OR $id = 'd1' GROUP BY WINDOW(PT1H)",
            "SELECT AVG(temperature) FROM dtmi:t;1 WHERE $ts > '2026-05-01T00:00:00Z' GROUP BY WINDOW(PT1H)",
            "SELECT AVG(temperature) FROM dtmi:t;1 GROUP BY WINDOW(PT90S)",
            "SELECT AVG(temperature) FROM dtmi:t;1 GROUP BY WINDOW(PT30S)",
            "SELECT TOP 5 temperature FROM dtmi:t;1",
            "SELECT AVG(temperature) FROM dtmi:t;1",
        })
        {
            Assert.Null(new QueryService.Compiler(QueryParser.Parse(text), Start, new QueryOptions(), rollups: true).Compile().RollupSeconds);
        }

        Assert.Equal(60, new QueryService.Compiler(QueryParser.Parse("SELECT AVG(temperature) FROM dtmi:t;1 GROUP BY WINDOW(PT5M)"), Start, new QueryOptions(), rollups: true).Compile().RollupSeconds);
        Assert.Equal(3600, new QueryService.Compiler(QueryParser.Parse("SELECT AVG(temperature) FROM dtmi:t;1 GROUP BY WINDOW(P1D)"), Start, new QueryOptions(), rollups: true).Compile().RollupSeconds);
    }

    [Fact]
    public async Task The_open_bucket_and_late_rows_are_answered_live_before_the_roller_reaches_them()
    {
        var now = Start.AddHours(5).AddMinutes(30);
        for (var minute = 0; minute < 330; minute++)
        {
            await SubmitAsync("d1", null, Start.AddMinutes(minute), $$"""{"temperature":{{minute}}}""");
        }

        Roll(now);
        const string Text = "SELECT COUNT(temperature), SUM(temperature), LAST(temperature) FROM dtmi:t;1 WHERE WITHIN_WINDOW(PT6H) GROUP BY WINDOW(PT1H)";
        var before = await RunRollupAsync(Text, now);
        Assert.Equal(6, before.Count);
        Assert.Equal(30, (long)before[5]["count_temperature"]!);

        // Into the open hour (not rolled: it has not closed), and late into the first hour (rolled already).
        await SubmitAsync("d1", null, now.AddSeconds(-1), """{"temperature":1000}""");
        await SubmitAsync("d1", null, Start.AddMinutes(10).AddSeconds(1), """{"temperature":2000}""");
        var after = await RunRollupAsync(Text, now);
        Assert.Equal(31, (long)after[5]["count_temperature"]!);
        Assert.Equal(1000, (double)after[5]["last_temperature"]!);
        Assert.Equal(61, (long)after[0]["count_temperature"]!);
        Assert.Equal((double)before[0]["sum_temperature"]! + 2000, (double)after[0]["sum_temperature"]!);
        // LAST is by arrival: the late row arrived last.
        Assert.Equal(2000, (double)after[0]["last_temperature"]!);
        AssertSameRows(Text, await RunAsync(new QueryService.Compiler(QueryParser.Parse(Text), now, new QueryOptions()).Compile()), after);

        // Once rolled, the late row is a second summary row of its hour, and the answer does not move.
        Roll(now.AddHours(1));
        AssertSameRows(Text, after, await RunRollupAsync(Text, now));
        Assert.Equal(0, WatermarkGap());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_roller_crashed_at_any_step_and_restarted_neither_double_counts_nor_skips(int stepNumber)
    {
        var step = (RollStep)stepNumber;
        Assert.True(Enum.IsDefined(step));
        var random = new Random((int)step);
        await SubmitRandomAsync(random, 600, TimeSpan.FromHours(6));
        var store = _ingest.Store("app");
        store.Roller.Fault = s =>
        {
            if (s == step)
            {
                throw new InvalidOperationException($"crash at {s}");
            }
        };
        Assert.Throws<InvalidOperationException>(() => store.Roller.Roll(Start.AddHours(3), CancellationToken.None));

        // The process goes away; a new one opens the same file and rolls from the persisted watermark.
        await _ingest.DisposeAsync();
        _ingest = Open();
        await SubmitRandomAsync(random, 300, TimeSpan.FromHours(6));
        Roll(Start.AddHours(4));
        Roll(Start.AddDays(1));
        AssertRollupsSummarizeEveryRowOnce();
    }

    [Fact]
    public async Task Retention_deletes_summaries_with_the_raw_rows_they_summarize()
    {
        var random = new Random(5);
        await SubmitRandomAsync(random, 1000, TimeSpan.FromHours(48));
        Roll(Start.AddDays(3));
        // Cut off mid-hour: retention rounds down to the hour so no bucket keeps a summary of deleted rows.
        var cutoff = Start.AddHours(20).AddMinutes(17);
        Assert.True(await _ingest.Store("app").DeleteOlderThanAsync(cutoff.UtcDateTime, CancellationToken.None) > 0);

        // Rows of the cut hour before the cutoff stay: the hour is whole on both sides.
        var oldest = Scalar<DateTime>("SELECT min(enqueued_time) FROM telemetry");
        Assert.InRange(oldest, Start.AddHours(20).UtcDateTime, cutoff.UtcDateTime);
        Assert.True(Scalar<DateTime>("SELECT min(bucket) FROM rollup_minute") >= Start.AddHours(20).UtcDateTime);
        Assert.True(Scalar<DateTime>("SELECT min(bucket) FROM rollup_hour") >= Start.AddHours(20).UtcDateTime);
        AssertRollupsSummarizeEveryRowOnce();
        const string Text = "SELECT AVG(temperature), COUNT(mode), FIRST(humidity) FROM dtmi:t;1 WHERE WITHIN_WINDOW(P2D) GROUP BY WINDOW(PT2H)";
        var now = Start.AddHours(49);
        AssertSameRows(Text, await RunAsync(new QueryService.Compiler(QueryParser.Parse(Text), now, new QueryOptions()).Compile()), await RunRollupAsync(Text, now));
    }

    [Fact]
    public void Rollup_options_out_of_range_are_refused_by_their_configuration_key()
    {
        var validator = new Centrum.Hosting.SectionValidator<TelemetryOptions>(TelemetryOptions.Section);
        Assert.Empty(validator.Failures(new TelemetryOptions()));
        var failures = validator.Failures(new TelemetryOptions { Rollups = new RollupOptions { Interval = TimeSpan.Zero, MaxMessagesPerPass = 10 } });
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Centrum:Telemetry:Rollups:Interval:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Centrum:Telemetry:Rollups:MaxMessagesPerPass:", StringComparison.Ordinal));
        var checkpoint = Assert.Single(validator.Failures(new TelemetryOptions { CheckpointWalBytes = 64L << 20, MaxWalBytes = 32L << 20 }));
        Assert.StartsWith("Centrum:Telemetry:CheckpointWalBytes:", checkpoint, StringComparison.Ordinal);
    }

    private TelemetryIngest Open() => new(
        Options.Create(new StorageOptions { DataFolder = _folder }),
        // The background roller is off: each test moves it by hand to the point it is about.
        Options.Create(new TelemetryOptions { Rollups = new RollupOptions { Enabled = false, MaxMessagesPerPass = 1_000 } }),
        new TelemetryMetrics(new MeterFactory()), new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);

    private void Roll(DateTimeOffset now) => _ingest.Store("app").Roller.Roll(now, CancellationToken.None);

    private async Task SubmitRandomAsync(Random random, int count, TimeSpan span)
    {
        var pending = new List<Task<StoreResult>>();
        for (var i = 0; i < count; i++)
        {
            var fields = new List<string>();
            if (random.Next(4) > 0)
            {
                // Mostly numbers, sometimes a string or a boolean in a numeric field, and whole numbers that sum exactly.
                fields.Add(random.Next(10) switch
                {
                    0 => "\"temperature\":\"high\"",
                    1 => "\"temperature\":true",
                    2 => "\"temperature\":" + random.Next(-50, 50).ToString(CultureInfo.InvariantCulture),
                    _ => "\"temperature\":" + Math.Round(random.NextDouble() * 100 - 30, 3).ToString(CultureInfo.InvariantCulture),
                });
            }

            if (random.Next(2) == 0)
            {
                fields.Add("\"humidity\":" + random.Next(0, 100).ToString(CultureInfo.InvariantCulture));
            }

            if (random.Next(3) == 0)
            {
                fields.Add("\"mode\":\"" + (random.Next(2) == 0 ? "eco" : "on") + "\"");
            }

            var component = random.Next(4) == 0 ? "c1" : null;
            var time = Start + TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds * random.NextDouble()));
            pending.Add(await SubmitTaskAsync(Devices[random.Next(Devices.Length)], component, time, "{" + string.Join(",", fields) + "}"));
        }

        await Task.WhenAll(pending);
    }

    private async Task SubmitAsync(string device, string? component, DateTimeOffset time, string body) => await await SubmitTaskAsync(device, component, time, body);

    private async Task<Task<StoreResult>> SubmitTaskAsync(string device, string? component, DateTimeOffset time, string body) =>
        (await _ingest.SubmitAsync(new TelemetryMessage
        {
            ApplicationId = "app", DeviceId = device, Component = component, ContentType = "application/json", Body = Encoding.UTF8.GetBytes(body), EnqueuedTime = time,
        }, true, CancellationToken.None))!;

    private static string RandomQuery(Random random, TimeSpan span, out DateTimeOffset now)
    {
        string[] fields = ["temperature", "humidity", "mode", "c1.temperature", "c1.humidity"];
        string[] aggregates = ["AVG", "MIN", "MAX", "SUM", "COUNT", "FIRST", "LAST"];
        string[] windows = ["PT1M", "PT2M", "PT5M", "PT15M", "PT1H", "PT2H", "PT3H", "P1D"];
        var items = Enumerable.Range(0, random.Next(1, 4)).Select(_ => $"{aggregates[random.Next(aggregates.Length)]}({fields[random.Next(fields.Length)]})").Distinct().ToList();
        if (random.Next(3) == 0)
        {
            items.Insert(random.Next(items.Count + 1), "$ts");
        }

        now = Start + span * random.NextDouble();
        var conditions = new List<string>();
        switch (random.Next(3))
        {
            case 0:
                conditions.Add($"WITHIN_WINDOW(PT{random.Next(1, 60)}H{random.Next(60)}M{random.Next(60)}S)");
                break;
            case 1:
                var from = Start + TimeSpan.FromSeconds(random.Next(-3600, (int)span.TotalSeconds));
                var to = from + TimeSpan.FromSeconds(random.Next(1, 40 * 3600));
                conditions.Add($"WITHIN_WINDOW('{Iso(from)}/{Iso(to)}')");
                now = to.AddHours(random.Next(0, 3));
                break;
        }

        switch (random.Next(4))
        {
            case 0:
                conditions.Add($"$id = '{Devices[random.Next(Devices.Length)]}'");
                break;
            case 1:
                conditions.Add($"$id IN ['{Devices[random.Next(Devices.Length)]}', '{Devices[random.Next(Devices.Length)]}']");
                break;
            case 2:
                conditions.Add($"($id = 'd1' OR $id != '{Devices[random.Next(Devices.Length)]}')");
                break;
        }

        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var order = random.Next(3) == 0 ? " ORDER BY $ts DESC" : "";
        var top = random.Next(4) == 0 ? $"TOP {random.Next(1, 10)} " : "";
        return $"SELECT {top}{string.Join(", ", items)} FROM dtmi:t;1{where} GROUP BY WINDOW({windows[random.Next(windows.Length)]}){order}";
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<List<JsonObject>> RunAsync(QueryService.Compiled compiled)
    {
        await using var connection = _ingest.Store("app").OpenReadConnection();
        return await QueryService.RunAsync(connection, compiled, Devices, CancellationToken.None);
    }

    private async Task<List<JsonObject>> RunRollupAsync(string text, DateTimeOffset now)
    {
        var compiled = new QueryService.Compiler(QueryParser.Parse(text), now, new QueryOptions(), rollups: true).Compile();
        Assert.NotNull(compiled.RollupSeconds);
        return await RunAsync(compiled);
    }

    /// <summary>Same rows in the same order; sums and averages within 1e-9 relative (addition order differs), the rest exact.</summary>
    private static void AssertSameRows(string query, List<JsonObject> expected, List<JsonObject> actual)
    {
        Assert.True(expected.Count == actual.Count, $"{query}: {expected.Count} rows raw, {actual.Count} from rollups");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Select(p => p.Key), actual[i].Select(p => p.Key));
            foreach (var (key, value) in expected[i])
            {
                var other = actual[i][key];
                var same = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && other is JsonValue o && o.GetValueKind() == JsonValueKind.Number
                    ? Math.Abs(Number(v) - Number(o)) <= 1e-9 * Math.Max(1, Math.Abs(Number(v)))
                    : JsonNode.DeepEquals(value, other);
                Assert.True(same, $"{query}: row {i}, {key}: raw {value?.ToJsonString()}, rollups {other?.ToJsonString()}");
            }
        }
    }

    private static double Number(JsonValue value) => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);

    /// <summary>Each table's summaries, added up per key, equal the raw rows grouped the same way, up to the watermark.</summary>
    private void AssertRollupsSummarizeEveryRowOnce()
    {
        foreach (var width in RollupWidth.All)
        {
            var watermark = Scalar<long>($"SELECT seq FROM rollup_state WHERE width_seconds = {width.Seconds}");
            Assert.Equal(Scalar<long>("SELECT max(seq) FROM telemetry"), watermark);
            var mismatches = Scalar<long>($"""
                WITH r AS (
                    SELECT bucket, device_id, component, name, sum(value_count) AS c, sum(number_count) AS nc, sum(number_sum) AS s,
                           min(number_min) AS lo, max(number_max) AS hi, arg_min(first_json, first_seq) AS f, arg_max(last_json, last_seq) AS l
                    FROM {width.Table} GROUP BY ALL),
                t AS (
                    SELECT time_bucket(to_microseconds({width.Microseconds}), enqueued_time) AS bucket, device_id, component, name, count(*) AS c,
                           count(value_number) AS nc, sum(value_number) AS s, min(value_number) AS lo, max(value_number) AS hi,
                           arg_min(value_json, seq) AS f, arg_max(value_json, seq) AS l
                    FROM telemetry WHERE seq <= {watermark} GROUP BY ALL)
                SELECT count(*) FROM r FULL JOIN t
                    ON r.bucket = t.bucket AND r.device_id = t.device_id AND r.component IS NOT DISTINCT FROM t.component AND r.name = t.name
                WHERE r.c IS DISTINCT FROM t.c OR r.nc IS DISTINCT FROM t.nc OR abs(coalesce(r.s, 0) - coalesce(t.s, 0)) > 1e-9
                   OR r.lo IS DISTINCT FROM t.lo OR r.hi IS DISTINCT FROM t.hi OR r.f IS DISTINCT FROM t.f OR r.l IS DISTINCT FROM t.l
                """);
            Assert.Equal(0, mismatches);
        }
    }

    private long WatermarkGap() => Scalar<long>("SELECT max(seq) FROM telemetry") - Scalar<long>("SELECT min(seq) FROM rollup_state");

    private T Scalar<T>(string sql)
    {
        using var connection = _ingest.Store("app").OpenReadConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar()!;
        return value is T typed ? typed : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }

    private sealed class MeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
