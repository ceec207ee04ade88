using Centrum.Events;
using Centrum.Storage;
using Centrum.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// The ingest queue is bounded by bytes as well as by count, with the one overflow rule: QoS 1 waits (and is never
/// acknowledged before it is stored), QoS 0 is dropped and counted. The writer is held on a gate after its first
/// commit, so the queue fills deterministically.
/// </summary>
public sealed class IngestQueueBytesTests : IDisposable
{
    private const int Body = 200 * 1024;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-telemetry-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Large_messages_fill_the_queue_by_bytes_long_before_its_count()
    {
        using var events = new GatedEvents();
        await using var ingest = Open(events, queueBytes: 1024 * 1024, queueFullTimeout: TimeSpan.FromMilliseconds(300));

        // The first message is committed; the writer then blocks announcing it.
        var first = (await ingest.SubmitAsync(Message(0), waitForRoom: true, CancellationToken.None))!;
        await events.Blocked.WaitAsync(TimeSpan.FromSeconds(30));

        // 1 MiB holds five 200 KB messages, the one being written included (its bytes come back once its batch is
        // done); the count bound (100,000) is far away.
        var queued = new List<Task<StoreResult>>();
        for (var i = 1; i <= 4; i++)
        {
            queued.Add((await ingest.SubmitAsync(Message(i), waitForRoom: false, CancellationToken.None))!);
        }

        Assert.All(queued, Assert.NotNull);
        Assert.Null(await ingest.SubmitAsync(Message(6), waitForRoom: false, CancellationToken.None));
        await Assert.ThrowsAsync<TelemetryStoreException>(async () => await ingest.SubmitAsync(Message(7), waitForRoom: true, CancellationToken.None));
        Assert.All(queued, t => Assert.False(t.IsCompleted, "nothing queued is acknowledged before it is stored"));

        // A QoS 1 publisher waits for room and gets it once the writer moves on.
        var waiting = ingest.SubmitAsync(Message(8), waitForRoom: true, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        events.Open();
        var stored = await Task.WhenAll([first, .. queued, (await waiting.WaitAsync(TimeSpan.FromSeconds(30)))!]);
        Assert.Equal(6, stored.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal(0, ingest.Store("app").QueuedBytes);
    }

    [Fact]
    public async Task One_message_larger_than_the_whole_budget_still_passes_an_empty_queue()
    {
        using var events = new GatedEvents(open: true);
        await using var ingest = Open(events, queueBytes: 1024 * 1024, queueFullTimeout: TimeSpan.FromSeconds(10));
        var huge = Message(1, 1536 * 1024);
        var stored = await (await ingest.SubmitAsync(huge, waitForRoom: true, CancellationToken.None))!;
        Assert.False(stored.Duplicate);
    }

    private TelemetryIngest Open(IDeviceEvents events, long queueBytes, TimeSpan queueFullTimeout) => new(
        Options.Create(new StorageOptions { DataFolder = _folder }),
        Options.Create(new TelemetryOptions { QueueBytes = queueBytes, QueueFullTimeout = queueFullTimeout, MaxBatchSize = 1 }),
        new TelemetryMetrics(new TestMeterFactory()),
        events,
        NullLogger<TelemetryIngest>.Instance);

    private static TelemetryMessage Message(int n, int bodyBytes = Body) => new()
    {
        ApplicationId = "app",
        DeviceId = "d1",
        MessageId = "m" + n,
        ContentType = "application/octet-stream",
        Body = new byte[bodyBytes],
        EnqueuedTime = DateTimeOffset.UtcNow,
    };

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

    /// <summary>Blocks the writer in its first announcement until opened.</summary>
    private sealed class GatedEvents(bool open = false) : IDeviceEvents, IDisposable
    {
        private readonly ManualResetEventSlim _gate = new(open);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Blocked => _blocked.Task;

        public void Open() => _gate.Set();

        public void Publish(DeviceEvent deviceEvent)
        {
            _blocked.TrySetResult();
            _gate.Wait(TimeSpan.FromSeconds(60));
        }

        public DeviceEventSubscription Subscribe(int capacity = 10_000) => throw new NotSupportedException();

        public DeviceEventSubscription SubscribeToDevice(string applicationId, string deviceId, int capacity) => throw new NotSupportedException();

        public void Dispose() => _gate.Dispose();
    }
}
