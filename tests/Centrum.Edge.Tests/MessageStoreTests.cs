using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Centrum.Edge.Buffering;

namespace Centrum.Edge.Tests;

/// <summary>The store and forward on a real SQLite file: durable before acknowledged, in order per endpoint, bounded by bytes and age.</summary>
public sealed class MessageStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("centrum-edge-store-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task Acknowledged_messages_are_in_the_files_a_crash_leaves_and_come_back_in_order()
    {
        var path = Path.Combine(_folder, "store.db");
        await using var store = Open(path);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(AppendOutcome.Stored, await store.AppendAsync("$upstream", Message("sensor-1", i), CancellationToken.None));
        }

        // What a crash leaves on disk: the database and its write-ahead log as they are while the store is still open,
        // never checkpointed or closed. A new store over a copy of them holds every acknowledged message.
        var crashed = Path.Combine(_folder, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var file in new[] { path, path + "-wal" })
        {
            await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await using var target = File.Create(Path.Combine(crashed, Path.GetFileName(file)));
            await source.CopyToAsync(target);
        }

        await using var recovered = Open(Path.Combine(crashed, "store.db"));
        Assert.Equal(50, recovered.Count);
        var messages = recovered.Read("$upstream", 0, 100);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"message {i}"), messages.Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));
        Assert.True(messages.Zip(messages.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal("sensor-1", messages[0].Message.Source);
        Assert.Equal("index=0&%24.ct=application%2Fjson", messages[0].Message.Properties);
        Assert.Equal(_time.GetUtcNow(), messages[0].EnqueuedTime);
    }

    [Fact]
    public async Task Each_endpoint_keeps_its_own_order_and_what_it_took_does_not_come_back()
    {
        var path = Path.Combine(_folder, "store.db");
        long lastTaken;
        await using (var store = Open(path))
        {
            for (var i = 0; i < 10; i++)
            {
                await store.AppendAsync("$upstream", Message("sensor-1", i), CancellationToken.None);
                await store.AppendAsync("/modules/filter/inputs/input1", Message("sensor-2", i), CancellationToken.None);
            }

            var upstream = store.Read("$upstream", 0, 4);
            Assert.Equal(["message 0", "message 1", "message 2", "message 3"], upstream.Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));
            lastTaken = upstream[^1].Sequence;
            await store.RemoveThroughAsync("$upstream", lastTaken, CancellationToken.None);
            Assert.Equal(16, store.Count);
            Assert.Equal(10, store.Read("/modules/filter/inputs/input1", 0, 100).Count);
        }

        await using var reopened = Open(path);
        var left = reopened.Read("$upstream", 0, 100);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"message {i}"), left.Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));
        Assert.Equal(10, reopened.Read("/modules/filter/inputs/input1", 0, 100).Count);

        // Emptied, the store still numbers later messages after every earlier one: a cursor kept in memory misses nothing.
        await reopened.RemoveThroughAsync("$upstream", long.MaxValue, CancellationToken.None);
        await reopened.RemoveThroughAsync("/modules/filter/inputs/input1", long.MaxValue, CancellationToken.None);
        Assert.Equal(0, reopened.Count);
        Assert.Equal(0, reopened.Bytes);
        await reopened.AppendAsync("$upstream", Message("sensor-1", 99), CancellationToken.None);
        Assert.Single(reopened.Read("$upstream", left[^1].Sequence, 10));
    }

    [Fact]
    public async Task Messages_older_than_the_time_to_live_are_dropped_as_the_clock_moves()
    {
        await using var store = Open(Path.Combine(_folder, "store.db"), ttl: TimeSpan.FromHours(2));
        await store.AppendAsync("$upstream", Message("sensor-1", 0), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(90));
        await store.AppendAsync("$upstream", Message("sensor-1", 1), CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await store.ExpireAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await store.ExpireAsync(CancellationToken.None));
        Assert.Equal(["message 1"], store.Read("$upstream", 0, 10).Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));

        // A deployment that shortens the time to live applies to what is already kept.
        store.TimeToLive = TimeSpan.FromMinutes(30);
        Assert.Equal(1, await store.ExpireAsync(CancellationToken.None));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task A_full_store_refuses_without_writing_and_takes_messages_again_once_delivered()
    {
        await using var store = Open(Path.Combine(_folder, "store.db"), maxBytes: 1 << 20);
        var body = new byte[200 * 1024];
        var stored = new List<AppendOutcome>();
        for (var i = 0; i < 6; i++)
        {
            stored.Add(await store.AppendAsync("$upstream", new EdgeMessage("sensor-1", "", body), CancellationToken.None));
        }

        Assert.Equal([AppendOutcome.Stored, AppendOutcome.Stored, AppendOutcome.Stored, AppendOutcome.Stored, AppendOutcome.Stored, AppendOutcome.Full], stored);
        Assert.Equal(5, store.Count);
        Assert.True(store.Bytes <= 1 << 20);

        var first = store.Read("$upstream", 0, 1);
        await store.RemoveThroughAsync("$upstream", first[0].Sequence, CancellationToken.None);
        Assert.Equal(AppendOutcome.Stored, await store.AppendAsync("$upstream", new EdgeMessage("sensor-1", "", body), CancellationToken.None));
        Assert.Equal(AppendOutcome.TooLarge, await store.AppendAsync("$upstream", new EdgeMessage("sensor-1", "", new byte[MessageStore.MaxMessageBytes + 1]), CancellationToken.None));
        Assert.Equal(5, store.Count);
    }

    [Fact]
    public async Task Concurrent_senders_are_each_answered_after_their_commit_and_keep_their_own_order()
    {
        await using var store = Open(Path.Combine(_folder, "store.db"));
        var commits = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EdgeMetrics.MeterName && instrument.Name == "centrum.edge.store.commit.batch_size")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref commits));
        listener.Start();
        var senders = Enumerable.Range(0, 20).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(AppendOutcome.Stored, await store.AppendAsync("$upstream", Message($"sensor-{s}", i), CancellationToken.None));
            }
        }));
        await Task.WhenAll(senders);

        var all = store.Read("$upstream", 0, 10_000);
        Assert.Equal(2_000, all.Count);
        // Twenty senders waiting on the disk at once share commits rather than paying one sync each.
        Assert.InRange(commits, 1, 1_999);
        foreach (var sender in all.GroupBy(m => m.Message.Source))
        {
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"message {i}"), sender.Select(m => Encoding.UTF8.GetString(m.Message.Body.Span)));
        }
    }

    [Fact]
    public async Task A_waiting_delivery_wakes_when_its_endpoint_gets_a_message()
    {
        await using var store = Open(Path.Combine(_folder, "store.db"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = store.ReadAsync("$upstream", 0, 10, timeout.Token);
        await store.AppendAsync("/modules/filter/inputs/input1", Message("sensor-2", 0), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await store.AppendAsync("$upstream", Message("sensor-1", 7), CancellationToken.None);
        var messages = await waiting;
        Assert.Equal("message 7", Encoding.UTF8.GetString(messages.Single().Message.Body.Span));
    }

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private MessageStore Open(string path, long maxBytes = 1L << 30, TimeSpan? ttl = null) =>
        MessageStore.Open(
            new MessageStoreOptions { Path = path, MaxBytes = maxBytes, TimeToLive = ttl ?? TimeSpan.FromHours(2) },
            new EdgeMetrics(_services.GetRequiredService<IMeterFactory>()),
            _time,
            NullLogger<MessageStore>.Instance);

    private static EdgeMessage Message(string source, int index) =>
        new(source, $"index={index}&%24.ct=application%2Fjson", Encoding.UTF8.GetBytes($"message {index}"));
}
