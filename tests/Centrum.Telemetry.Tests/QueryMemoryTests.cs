using System.Diagnostics.Metrics;
using Centrum.Storage;
using Centrum.Telemetry.Query;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// A query's memory must not grow with the messages in its window: IoT Central's 30 days of one-second telemetry from
/// 1,000 devices is 2.6 billion messages. Scaled down here: a database that may use 32 MB and cannot spill to disk.
/// </summary>
public sealed class QueryMemoryTests : IAsyncLifetime
{
    private const int Messages = 2_000_000;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-query-memory-tests", Guid.NewGuid().ToString("N"));
    private TelemetryIngest _ingest = null!;

    public async Task InitializeAsync()
    {
        _ingest = new TelemetryIngest(
            Options.Create(new StorageOptions { DataFolder = _folder }), Options.Create(new TelemetryOptions()),
            new TelemetryMetrics(new MeterFactory()), new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);

        // Two hours of messages from three devices, each with one field 'temperature' = r % 100, as the writer stores them.
        await using var connection = _ingest.Store("app").OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO telemetry (seq, enqueued_time, device_id, name, value_number, value_json, modeled)
            SELECT r + 1, $start + to_microseconds(r * 3600), 'd' || (r % 3 + 1), 'temperature', r % 100, CAST(r % 100 AS VARCHAR), true
            FROM range({Messages}) t(r);
            CHECKPOINT;
            SET memory_limit = '32MB';
            SET temp_directory = '';
            """;
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("start", Now.AddHours(-2).UtcDateTime));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task An_hourly_aggregate_of_one_field_runs_in_memory_that_does_not_grow_with_its_messages()
    {
        var query = QueryParser.Parse("SELECT AVG(temperature), MAX(temperature), COUNT(temperature) FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(PT2H) GROUP BY WINDOW(PT1H)");
        var rows = await new QueryService(_ingest, Options.Create(new QueryOptions { MemoryLimitMegabytes = 32 })).ExecuteAsync("app", query, ["d1", "d2", "d3"], Now, CancellationToken.None);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(49.5, (double)r["avg_temperature"]!, 9));
        Assert.All(rows, r => Assert.Equal(99, (double)r["max_temperature"]!));
        Assert.All(rows, r => Assert.Equal(Messages / 2, (long)r["count_temperature"]!));
    }

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
