using System.Text;
using Centrum.Storage;
using Centrum.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>The DuckDB writer and reader on real database files in a temp folder.</summary>
public sealed class TelemetryStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-telemetry-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Sequence_numbers_increase_strictly_across_batches_and_restarts()
    {
        var sequences = new List<long>();
        await using (var ingest = Open())
        {
            sequences.AddRange(await StoreAsync(ingest, Enumerable.Range(0, 500).Select(i => Message("d1", $$"""{"t":{{i}}}"""))));
        }

        await using (var ingest = Open())
        {
            sequences.AddRange(await StoreAsync(ingest, [Message("d1", """{"t":1}""")]));
        }

        Assert.Equal(Enumerable.Range(1, 501).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task A_message_id_seen_before_is_acknowledged_but_not_stored_again_even_after_a_restart()
    {
        await using (var ingest = Open())
        {
            var first = await StoreResultsAsync(ingest, [Message("d1", "{}", "m-1"), Message("d1", "{}", "m-1"), Message("d2", "{}", "m-1")]);
            Assert.Equal([false, true, false], first.Select(r => r.Duplicate));
        }

        await using (var ingest = Open())
        {
            var again = await StoreResultsAsync(ingest, [Message("d1", "{}", "m-1"), Message("d1", "{}", "m-2")]);
            Assert.Equal([true, false], again.Select(r => r.Duplicate));
            var counts = await new TelemetryQueries(ingest).CountByMessageIdAsync("app", "d1", CancellationToken.None);
            Assert.Equal([("m-1", 1L), ("m-2", 1L)], counts.OrderBy(c => c.MessageId));
        }
    }

    [Fact]
    public async Task A_rebooted_device_that_restarts_its_message_counter_has_every_message_stored()
    {
        var boot = DateTimeOffset.UtcNow;
        await using (var ingest = Open())
        {
            var first = await StoreResultsAsync(ingest, Enumerable.Range(1, 3).Select(i => Message("d1", $$"""{"t":{{i}}}""", $"{i}", enqueued: boot.AddSeconds(i))));
            Assert.All(first, r => Assert.False(r.Duplicate));
        }

        // The device reboots (and the server restarts meanwhile): its counter starts at 1 again, with new readings.
        await using (var ingest = Open())
        {
            var again = await StoreResultsAsync(ingest, Enumerable.Range(1, 3).Select(i => Message("d1", $$"""{"t":{{i + 10}}}""", $"{i}", enqueued: boot.AddSeconds(30 + i))));
            Assert.All(again, r => Assert.False(r.Duplicate));
            var counts = await new TelemetryQueries(ingest).CountByMessageIdAsync("app", "d1", CancellationToken.None);
            Assert.Equal([("1", 2L), ("2", 2L), ("3", 2L)], counts.OrderBy(c => c.MessageId));
        }
    }

    [Fact]
    public async Task A_resend_after_a_lost_acknowledgement_is_stored_once_and_the_same_message_much_later_is_stored_again()
    {
        var sent = DateTimeOffset.UtcNow;
        await using (var ingest = Open())
        {
            Assert.False(Assert.Single(await StoreResultsAsync(ingest, [Message("d1", """{"t":1}""", "7", enqueued: sent)])).Duplicate);
        }

        // The server stopped before the PUBACK: the SDK re-sends the same message on its next connection.
        await using (var ingest = Open())
        {
            Assert.True(Assert.Single(await StoreResultsAsync(ingest, [Message("d1", """{"t":1}""", "7", enqueued: sent.AddSeconds(20))])).Duplicate);
            var outside = sent + new TelemetryOptions().DeduplicationPeriod + TimeSpan.FromSeconds(1);
            Assert.False(Assert.Single(await StoreResultsAsync(ingest, [Message("d1", """{"t":1}""", "7", enqueued: outside)])).Duplicate);
            var counts = await new TelemetryQueries(ingest).CountByMessageIdAsync("app", "d1", CancellationToken.None);
            Assert.Equal([("7", 2L)], counts);
        }
    }

    [Fact]
    public async Task Latest_range_and_buckets_read_what_was_written()
    {
        await using var ingest = Open();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var messages = Enumerable.Range(0, 120).Select(i => Message("d1", "{\"temp\":" + i + ",\"ok\":true,\"pos\":{\"lat\":1}}", enqueued: start.AddSeconds(i))).ToList();
        messages.Add(Message("d1", """{"temp":999}""", component: "thermostat1", enqueued: start.AddSeconds(5)));
        messages.Add(Message("d1", "not json at all", enqueued: start.AddSeconds(6)));
        await StoreAsync(ingest, messages);
        var queries = new TelemetryQueries(ingest);

        var latest = await queries.LatestAsync(new TelemetryStream("app", "d1", null, null, "temp"), CancellationToken.None);
        Assert.Equal(119, latest!.Value.GetInt32());
        Assert.Equal(start.AddSeconds(119), latest.Timestamp);
        var component = await queries.LatestAsync(new TelemetryStream("app", "d1", null, "thermostat1", "temp"), CancellationToken.None);
        Assert.Equal(999, component!.Value.GetInt32());
        var nested = await queries.LatestAsync(new TelemetryStream("app", "d1", null, null, "pos"), CancellationToken.None);
        Assert.Equal(1, nested!.Value.GetProperty("lat").GetInt32());

        var range = await queries.RangeAsync(new TelemetryStream("app", "d1", null, null, "temp"), start.AddSeconds(10), start.AddSeconds(20), 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(10, 10), range.Select(p => p.Value.GetInt32()));
        var page = await queries.RangeAsync(new TelemetryStream("app", "d1", null, null, "temp"), start, start.AddHours(1), range[4].Sequence, 3, CancellationToken.None);
        Assert.Equal([15, 16, 17], page.Select(p => p.Value.GetInt32()));

        var buckets = await queries.AggregateAsync(new TelemetryStream("app", "d1", null, null, "temp"), start, start.AddMinutes(2), TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(2, buckets.Count);
        Assert.Equal((60L, 29.5, 0.0, 59.0), (buckets[0].Count, buckets[0].Average!.Value, buckets[0].Minimum!.Value, buckets[0].Maximum!.Value));
        Assert.Equal((60L, 89.5), (buckets[1].Count, buckets[1].Average!.Value));
        Assert.Equal(start.AddMinutes(1), buckets[1].Start);
    }

    [Fact]
    public async Task Applications_have_separate_databases()
    {
        await using var ingest = Open();
        await StoreAsync(ingest, [Message("d1", """{"x":1}""")]);
        await StoreAsync(ingest, [Message("d1", """{"x":2}""", application: "other")]);
        var queries = new TelemetryQueries(ingest);
        Assert.Equal(1, (await queries.LatestAsync(new TelemetryStream("app", "d1", null, null, "x"), CancellationToken.None))!.Value.GetInt32());
        Assert.Equal(2, (await queries.LatestAsync(new TelemetryStream("other", "d1", null, null, "x"), CancellationToken.None))!.Value.GetInt32());
        Assert.True(File.Exists(Path.Combine(_folder, "applications", "other", "telemetry.duckdb")));
    }

    [Fact]
    public async Task Each_stored_message_is_announced_on_the_event_stream_with_its_sequence_and_duplicates_are_not()
    {
        var bus = new Centrum.Events.DeviceEventBus();
        using var subscription = bus.Subscribe();
        await using var ingest = Open(bus);
        await StoreAsync(ingest, [Message("d1", "{}", "a"), Message("d2", "{}", component: "c1"), Message("d1", "{}", "a")]);
        var seen = new List<Centrum.Events.DeviceEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            seen.Add(e);
        }

        Assert.Equal([(1L, "d1", null), (2L, "d2", "c1")], seen.Select(e => (e.Sequence, e.DeviceId, e.Component)));
        Assert.All(seen, e => Assert.Equal(Centrum.Events.DeviceEventKind.TelemetryStored, e.Kind));
    }

    [Fact]
    public async Task An_idle_writer_checkpoints_its_grown_log_and_every_acknowledged_message_survives_a_restart()
    {
        // DuckDB's own checkpoint would wait for four times the bound (1 GB); the writer's runs once the log passed 1 MB
        // and no message came for a moment, which is the case between the awaited rounds here.
        var options = new TelemetryOptions { CheckpointWalBytes = 1024 * 1024 };
        long stored = 0;
        await using (var ingest = Open(options: options))
        {
            for (var round = 0; round < 20; round++)
            {
                stored += (await StoreAsync(ingest, Enumerable.Range(0, 200).Select(i => Message($"d{i}", LargeBody)))).Count;
                await Wait.UntilAsync(() => Task.FromResult(WalBytes() < 1024 * 1024), TimeSpan.FromSeconds(10), "the idle writer checkpointed its log");
            }
        }

        await using (var ingest = Open(options: options))
        {
            var last = Assert.Single(await StoreAsync(ingest, [Message("d0", LargeBody)]));
            Assert.Equal(stored + 1, last);
        }
    }

    [Fact]
    public async Task Under_sustained_load_the_writer_keeps_its_log_within_the_bound()
    {
        // Everything is queued at once, so the writer is never idle: only the bound checkpoints.
        var options = new TelemetryOptions { CheckpointWalBytes = 1024 * 1024, MaxWalBytes = 1024 * 1024, MaxBatchSize = 200 };
        long largestWal = 0;
        await using (var ingest = Open(options: options))
        {
            var writing = StoreAsync(ingest, Enumerable.Range(0, 8_000).Select(i => Message($"d{i % 200}", LargeBody)));
            while (!writing.IsCompleted)
            {
                largestWal = Math.Max(largestWal, WalBytes());
                await Task.WhenAny(writing, Task.Delay(5));
            }

            Assert.Equal(8_000, (await writing).Count);
        }

        // Over 8 MB of messages went through a log that never held much more than the bound and a batch (DuckDB's own
        // checkpoint, the backstop, waits for four times the bound).
        Assert.InRange(largestWal, 1, 5 * 1024 * 1024 / 2);
    }

    private static readonly string LargeBody = $$"""{"t":1,"pad":"{{new string('x', 1000)}}"}""";

    private long WalBytes()
    {
        var wal = new FileInfo(Path.Combine(new StorageOptions { DataFolder = _folder }.ApplicationFolder("app"), "telemetry.duckdb.wal"));
        return wal.Exists ? wal.Length : 0;
    }

    private TelemetryIngest Open(Centrum.Events.IDeviceEvents? events = null, TelemetryOptions? options = null) => new(
        Options.Create(new StorageOptions { DataFolder = _folder }),
        Options.Create(options ?? new TelemetryOptions()),
        new TelemetryMetrics(new TestMeterFactory()),
        events ?? new Centrum.Events.DeviceEventBus(),
        NullLogger<TelemetryIngest>.Instance);

    private static TelemetryMessage Message(string device, string body, string? messageId = null, string? component = null, DateTimeOffset? enqueued = null, string application = "app") => new()
    {
        ApplicationId = application,
        DeviceId = device,
        Component = component,
        MessageId = messageId,
        ContentType = "application/json",
        Body = Encoding.UTF8.GetBytes(body),
        EnqueuedTime = enqueued ?? DateTimeOffset.UtcNow,
    };

    private static async Task<List<long>> StoreAsync(TelemetryIngest ingest, IEnumerable<TelemetryMessage> messages) =>
        (await StoreResultsAsync(ingest, messages)).Select(r => r.Sequence).ToList();

    private static async Task<StoreResult[]> StoreResultsAsync(TelemetryIngest ingest, IEnumerable<TelemetryMessage> messages)
    {
        var pending = new List<Task<StoreResult>>();
        foreach (var message in messages)
        {
            pending.Add((await ingest.SubmitAsync(message, waitForRoom: true, CancellationToken.None))!);
        }

        return await Task.WhenAll(pending);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
