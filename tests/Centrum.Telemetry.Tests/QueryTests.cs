using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Storage;
using Centrum.Telemetry.Query;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>The query language against a seeded DuckDB store; expected values are computed here from the seed, independently.</summary>
public sealed class QueryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-query-tests", Guid.NewGuid().ToString("N"));
    private readonly List<(string Device, DateTimeOffset Time, double Temperature, string Mode, double? Pressure)> _seed = [];
    private TelemetryIngest _ingest = null!;

    public async Task InitializeAsync()
    {
        _ingest = new TelemetryIngest(
            Options.Create(new StorageOptions { DataFolder = _folder }), Options.Create(new TelemetryOptions()),
            new TelemetryMetrics(new MeterFactory()), new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);
        var pending = new List<Task<StoreResult>>();
        var random = new Random(7);
        foreach (var device in new[] { "d1", "d2", "d3" })
        {
            for (var minute = 0; minute < 180; minute++)
            {
                var time = Now.AddHours(-3).AddMinutes(minute);
                var temperature = Math.Round(15 + random.NextDouble() * 20, 2);
                var mode = minute % 3 == 0 ? "eco" : "on";
                double? pressure = minute % 2 == 0 ? 1000 + minute : null;
                _seed.Add((device, time, temperature, mode, pressure));
                var body = pressure is null
                    ? $$"""{"temperature":{{temperature}},"mode":"{{mode}}"}"""
                    : $$"""{"temperature":{{temperature}},"mode":"{{mode}}","pressure":{{pressure}}}""";
                pending.Add((await _ingest.SubmitAsync(new TelemetryMessage
                {
                    ApplicationId = "app", DeviceId = device, ContentType = "application/json", Body = Encoding.UTF8.GetBytes(body), EnqueuedTime = time,
                }, true, CancellationToken.None))!);
            }
        }

        // Another device of another template, and component telemetry.
        pending.Add((await _ingest.SubmitAsync(new TelemetryMessage { ApplicationId = "app", DeviceId = "other", ContentType = "application/json", Body = Encoding.UTF8.GetBytes("""{"temperature":999}"""), EnqueuedTime = Now.AddMinutes(-1) }, true, CancellationToken.None))!);
        pending.Add((await _ingest.SubmitAsync(new TelemetryMessage { ApplicationId = "app", DeviceId = "d1", Component = "thermostat1", ContentType = "application/json", Body = Encoding.UTF8.GetBytes("""{"temperature":-5}"""), EnqueuedTime = Now.AddMinutes(-1) }, true, CancellationToken.None))!);
        await Task.WhenAll(pending);
    }

    private Task<IReadOnlyList<JsonObject>> RunAsync(string query) =>
        new QueryService(_ingest, Options.Create(new QueryOptions())).ExecuteAsync("app", QueryParser.Parse(query), ["d1", "d2", "d3"], Now, CancellationToken.None);

    [Fact]
    public async Task Plain_fields_come_per_message_with_id_and_time()
    {
        var rows = await RunAsync("SELECT $id, $ts, temperature, mode FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(PT10M) AND $id = 'd2' ORDER BY $ts DESC");
        var expected = _seed.Where(s => s.Device == "d2" && s.Time >= Now.AddMinutes(-10)).OrderByDescending(s => s.Time).ToList();
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Select(e => e.Temperature), rows.Select(r => (double)r["temperature"]!));
        Assert.Equal(expected.Select(e => e.Mode), rows.Select(r => (string)r["mode"]!));
        Assert.All(rows, r => Assert.Equal("d2", (string?)r["$id"]));
        Assert.Equal(expected[0].Time, DateTimeOffset.Parse((string)rows[0]["$ts"]!));
        // As IoT Central writes times in query answers: Z, at most milliseconds, no trailing zeros.
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?Z$", (string)r["$ts"]!));
    }

    [Fact]
    public async Task Aggregates_by_window_match_values_computed_from_the_seed()
    {
        var rows = await RunAsync("SELECT AVG(temperature), MAX(temperature), MIN(temperature), COUNT(pressure), SUM(pressure) FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(PT3H) GROUP BY WINDOW(PT1H) ORDER BY $ts ASC");
        var buckets = _seed.Where(s => s.Time >= Now.AddHours(-3)).GroupBy(s => new DateTimeOffset(s.Time.Year, s.Time.Month, s.Time.Day, s.Time.Hour, 0, 0, TimeSpan.Zero)).OrderBy(g => g.Key).ToList();
        Assert.Equal(buckets.Count, rows.Count);
        for (var i = 0; i < buckets.Count; i++)
        {
            Assert.Equal(buckets[i].Key, DateTimeOffset.Parse((string)rows[i]["$ts"]!));
            Assert.Equal(buckets[i].Key.ToString("yyyy'-'MM'-'dd'T'HH':00:00Z'", System.Globalization.CultureInfo.InvariantCulture), (string)rows[i]["$ts"]!);
            Assert.Equal(buckets[i].Average(s => s.Temperature), (double)rows[i]["avg_temperature"]!, 9);
            Assert.Equal(buckets[i].Max(s => s.Temperature), (double)rows[i]["max_temperature"]!);
            Assert.Equal(buckets[i].Min(s => s.Temperature), (double)rows[i]["min_temperature"]!);
            Assert.Equal(buckets[i].Count(s => s.Pressure is not null), (long)rows[i]["count_pressure"]!);
            Assert.Equal(buckets[i].Sum(s => s.Pressure ?? 0), (double)rows[i]["sum_pressure"]!, 6);
        }
    }

    [Fact]
    public async Task Filters_with_IN_OR_comparisons_and_aliases()
    {
        var rows = await RunAsync("SELECT TOP 50 $id, temperature AS t FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(PT1H) AND ($id IN ['d1', 'd3'] OR mode = 'eco') AND t > 30 ORDER BY t DESC");
        var expected = _seed.Where(s => s.Time >= Now.AddHours(-1) && (s.Device is "d1" or "d3" || s.Mode == "eco") && s.Temperature > 30)
            .OrderByDescending(s => s.Temperature).Take(50).ToList();
        Assert.Equal(expected.Select(e => e.Temperature), rows.Select(r => (double)r["t"]!));
        Assert.DoesNotContain(rows, r => (double)r["t"]! == 999);
    }

    [Fact]
    public async Task First_last_and_absolute_windows()
    {
        var start = Now.AddHours(-2);
        var end = Now.AddHours(-1);
        var rows = await RunAsync($"SELECT FIRST(temperature), LAST(temperature), COUNT(temperature) FROM dtmi:example:T;1 WHERE WITHIN_WINDOW('{start:O}/{end:O}') AND $id = 'd1'");
        var inWindow = _seed.Where(s => s.Device == "d1" && s.Time >= start && s.Time < end).OrderBy(s => s.Time).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(inWindow[0].Temperature, (double)row["first_temperature"]!);
        Assert.Equal(inWindow[^1].Temperature, (double)row["last_temperature"]!);
        Assert.Equal(inWindow.Count, (long)row["count_temperature"]!);
    }

    [Fact]
    public async Task Component_fields_are_their_own_streams()
    {
        var rows = await RunAsync("SELECT $id, thermostat1.temperature FROM dtmi:example:T;1");
        var row = Assert.Single(rows);
        Assert.Equal(-5, (double)row["thermostat1.temperature"]!);
    }

    [Fact]
    public async Task An_injection_attempt_in_a_string_literal_stays_a_literal()
    {
        var rows = await RunAsync("SELECT $id, temperature FROM dtmi:example:T;1 WHERE $id = 'd1'' OR ''1''=''1'");
        Assert.Empty(rows);
        var dropped = await RunAsync("SELECT $id FROM dtmi:example:T;1 WHERE mode = 'x''); DROP TABLE telemetry; --'");
        Assert.Empty(dropped);
        Assert.NotEmpty(await RunAsync("SELECT TOP 1 temperature FROM dtmi:example:T;1"));
    }

    [Theory]
    [InlineData("SELEC temperature FROM dtmi:a:b;1", 0, "SELEC")]
    [InlineData("SELECT temperature FROMM dtmi:a:b;1", 19, "FROMM")]
    [InlineData("SELECT * FROM dtmi:a:b;1", 7, "*")]
    [InlineData("SELECT temperature FROM thermostats", 24, "thermostats")]
    [InlineData("SELECT temperature FROM dtmi:a:b;1 WHERE temperature >> 3", 54, ">")]
    [InlineData("SELECT AVG($id) FROM dtmi:a:b;1", 11, "$id")]
    [InlineData("SELECT temperature, AVG(pressure) FROM dtmi:a:b;1", 7, "temperature")]
    [InlineData("SELECT temperature FROM dtmi:a:b;1 WHERE WITHIN_WINDOW(P1X)", 55, "P1X")]
    [InlineData("SELECT temperature FROM dtmi:a:b;1 WHERE mode = 'open", 48, "'open")]
    [InlineData("SELECT $foo FROM dtmi:a:b;1", 7, "$foo")]
    [InlineData("SELECT temperature, temperature FROM dtmi:a:b;1", 20, "temperature")]
    [InlineData("SELECT TOP 0 temperature FROM dtmi:a:b;1", 11, "0")]
    public void Malformed_queries_name_the_offending_token(string query, int position, string token)
    {
        var error = Assert.Throws<QueryException>(() => QueryParser.Parse(query));
        Assert.Equal((position, token), (error.Position, error.Token));
    }

    public Task DisposeAsync()
    {
        _ingest.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }

    private sealed class MeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
