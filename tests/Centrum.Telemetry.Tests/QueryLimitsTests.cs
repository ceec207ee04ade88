using System.Diagnostics;
using System.Diagnostics.Metrics;
using Centrum.Storage;
using Centrum.Telemetry.Query;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// What one query may cost: the parser's depth and size limits, and the time, memory, window and pivot-row limits of
/// a run, on a real DuckDB store of two fields per message from three devices.
/// </summary>
public sealed class QueryLimitsTests : IAsyncLifetime
{
    private const int Messages = 1_500_000;
    private const string Template = "dtmi:example:T;1";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-query-limits-tests", Guid.NewGuid().ToString("N"));
    private TelemetryIngest _ingest = null!;

    public async Task InitializeAsync()
    {
        _ingest = new TelemetryIngest(
            Options.Create(new StorageOptions { DataFolder = _folder }), Options.Create(new TelemetryOptions()),
            new TelemetryMetrics(new MeterFactory()), new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);
        await using var connection = _ingest.Store("app").OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO telemetry (seq, enqueued_time, device_id, name, value_number, value_json, modeled)
            SELECT r + 1, $start + to_microseconds(r * 4000), 'd' || (r % 3 + 1), f.name, r % 100, CAST(r % 100 AS VARCHAR), true
            FROM range({Messages}) t(r), (VALUES ('temperature'), ('humidity')) f(name);
            CHECKPOINT;
            SET temp_directory = '';
            """;
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("start", Now.AddHours(-2).UtcDateTime));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public void Ten_thousand_nested_parentheses_are_a_query_error_not_a_stack_overflow()
    {
        var text = $"SELECT temperature FROM {Template} WHERE {new string('(', 10_000)}temperature > 1{new string(')', 10_000)}";
        var error = Assert.Throws<QueryException>(() => QueryParser.Parse(text));
        Assert.Contains("at most", error.Message, StringComparison.Ordinal);

        var deepest = $"SELECT temperature FROM {Template} WHERE {new string('(', QueryParser.MaxNestingDepth)}temperature > 1{new string(')', QueryParser.MaxNestingDepth)}";
        Assert.NotNull(QueryParser.Parse(deepest).Where);
        var deeper = $"SELECT temperature FROM {Template} WHERE {new string('(', QueryParser.MaxNestingDepth + 1)}temperature > 1{new string(')', QueryParser.MaxNestingDepth + 1)}";
        Assert.Contains("parentheses", Assert.Throws<QueryException>(() => QueryParser.Parse(deeper)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_queries_and_long_IN_lists_are_query_errors()
    {
        var longText = $"SELECT temperature FROM {Template} WHERE mode = '{new string('x', QueryParser.MaxLength)}'";
        Assert.Contains($"at most {QueryParser.MaxLength} characters", Assert.Throws<QueryException>(() => QueryParser.Parse(longText)).Message, StringComparison.Ordinal);

        string In(int count) => $"SELECT temperature FROM {Template} WHERE temperature IN [{string.Join(", ", Enumerable.Range(0, count))}]";
        Assert.NotNull(QueryParser.Parse(In(QueryParser.MaxInValues)).Where);
        Assert.Throws<QueryException>(() => QueryParser.Parse(In(QueryParser.MaxInValues + 1)));
        Assert.Throws<QueryException>(() => QueryParser.Parse($"SELECT temperature FROM {Template} WHERE WITHIN_WINDOW(P99999999999999W)"));
    }

    [Fact]
    public async Task A_window_longer_than_the_cap_is_a_query_error_naming_the_cap()
    {
        var options = new QueryOptions();
        var relative = await Assert.ThrowsAsync<QueryException>(() => RunAsync(options, $"SELECT temperature FROM {Template} WHERE WITHIN_WINDOW(P400D)"));
        Assert.Contains("P31D", relative.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QueryException>(() => RunAsync(options, $"SELECT temperature FROM {Template} WHERE WITHIN_WINDOW('2020-01-01T00:00:00Z/2026-01-01T00:00:00Z')"));
        Assert.NotEmpty(await RunAsync(options, $"SELECT TOP 5 temperature FROM {Template} WHERE WITHIN_WINDOW(P31D)"));
    }

    [Fact]
    public async Task A_query_past_its_time_limit_is_interrupted_and_the_store_answers_the_next_one()
    {
        var options = new QueryOptions { Timeout = TimeSpan.FromMilliseconds(20), MaxPivotRows = long.MaxValue / 2 };
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<QueryLimitException>(() => RunAsync(options, $"SELECT $id, temperature, humidity FROM {Template} WHERE WITHIN_WINDOW(PT2H) ORDER BY humidity DESC"));
        var interrupted = watch.Elapsed;
        Assert.Equal("QueryTimeout", error.Code);

        // The same query without the limit takes far longer than the interrupted one did.
        watch.Restart();
        Assert.NotEmpty(await RunAsync(new QueryOptions { MaxPivotRows = long.MaxValue / 2 }, $"SELECT $id, temperature, humidity FROM {Template} WHERE WITHIN_WINDOW(PT2H) ORDER BY humidity DESC"));
        Assert.True(interrupted < watch.Elapsed, $"interrupted after {interrupted}, full run {watch.Elapsed}");
    }

    [Fact]
    public async Task A_pivot_over_more_rows_than_the_cap_is_refused_before_it_runs_while_one_field_streams()
    {
        var options = new QueryOptions { MaxPivotRows = 100_000 };
        var error = await Assert.ThrowsAsync<QueryLimitException>(() => RunAsync(options, $"SELECT temperature, humidity FROM {Template} WHERE WITHIN_WINDOW(PT2H)"));
        Assert.Equal("QueryTooLarge", error.Code);
        Assert.Contains("100,000", error.Message, StringComparison.Ordinal);

        Assert.Equal(10, (await RunAsync(options, $"SELECT TOP 10 temperature FROM {Template} WHERE WITHIN_WINDOW(PT2H)")).Count);
        Assert.Equal(10, (await RunAsync(options, $"SELECT TOP 10 temperature, humidity FROM {Template} WHERE WITHIN_WINDOW('2026-03-01T10:00:00Z/2026-03-01T10:00:10Z')")).Count);
    }

    [Fact]
    public async Task A_query_that_needs_more_memory_than_the_limit_fails_with_its_own_error()
    {
        var options = new QueryOptions { MemoryLimitMegabytes = 16, MaxPivotRows = long.MaxValue / 2, Timeout = TimeSpan.FromMinutes(5) };
        var error = await Assert.ThrowsAsync<QueryLimitException>(() => RunAsync(options, $"SELECT $id, temperature, humidity FROM {Template} WHERE WITHIN_WINDOW(PT2H) ORDER BY humidity DESC"));
        Assert.Equal("QueryTooLarge", error.Code);
        Assert.Contains("16 MB", error.Message, StringComparison.Ordinal);
        Assert.Single(await RunAsync(options, $"SELECT COUNT(temperature) FROM {Template} WHERE WITHIN_WINDOW(PT2H)"));
    }

    private Task<IReadOnlyList<System.Text.Json.Nodes.JsonObject>> RunAsync(QueryOptions options, string query) =>
        new QueryService(_ingest, Options.Create(options)).ExecuteAsync("app", QueryParser.Parse(query), ["d1", "d2", "d3"], Now, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _ingest.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private sealed class MeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
