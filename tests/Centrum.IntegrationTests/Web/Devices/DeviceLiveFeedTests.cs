using System.Text;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Storage;
using Centrum.Telemetry;
using Centrum.Web.Devices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.IntegrationTests.Web.Devices;

/// <summary>
/// A device page's live feed over the real telemetry store and event stream: it shows its device's values as they are
/// committed and nothing of other devices or applications, a page that does not take its updates never slows ingestion,
/// and a device that leaves the caller's reach ends the feed.
/// </summary>
public sealed class DeviceLiveFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-web-tests", Guid.NewGuid().ToString("N"));
    private readonly DeviceEventBus _bus = new();
    private TelemetryIngest _ingest = null!;

    public Task InitializeAsync()
    {
        _ingest = new TelemetryIngest(
            Options.Create(new StorageOptions { DataFolder = _folder }), Options.Create(new TelemetryOptions()),
            new TelemetryMetrics(new TestMeterFactory()), _bus, NullLogger<TelemetryIngest>.Instance);
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
    public async Task A_feed_shows_its_devices_values_as_they_are_stored_and_never_another_devices_or_applications()
    {
        await StoreAsync("app", "pump-1", """{"temperature":1}""");
        await using var feed = Watch("app", "pump-1");
        var seen = new List<DeviceTelemetryValue>();
        var woken = 0;
        feed.Changed += () => Interlocked.Increment(ref woken);

        // What the device sent before the page opened is the chart's opening window.
        await Wait.UntilAsync(() => Task.FromResult(Took(feed, seen) && seen.Count == 1), Timeout, "the feed read the value stored before it opened");

        for (var i = 2; i <= 20; i++)
        {
            await StoreAsync("app", "pump-1", $$"""{"temperature":{{i}}}""");
            await StoreAsync("app", "pump-2", $$"""{"temperature":{{100 + i}}}""");
            await StoreAsync("other", "pump-1", $$"""{"temperature":{{200 + i}}}""");
        }

        await Wait.UntilAsync(() => Task.FromResult(Took(feed, seen) && seen.Count >= 20), Timeout, "the feed read the twenty values of its device");
        Assert.Equal(Enumerable.Range(1, 20), seen.Select(v => v.Value.GetInt32()));
        Assert.All(seen, v => Assert.Equal("temperature", v.Name));
        Assert.True(Volatile.Read(ref woken) >= 2);
        Assert.Equal(0, feed.Dropped);
    }

    [Fact]
    public async Task A_page_that_takes_nothing_keeps_only_the_newest_values_and_ingestion_is_not_held_up()
    {
        const int Sent = DeviceLiveFeed.MaxPendingValues + 1500;
        await using var feed = Watch("app", "pump-1");

        // The page never takes: every message is still stored and announced, each acknowledged after its commit.
        for (var i = 1; i <= Sent; i++)
        {
            await StoreAsync("app", "pump-1", $$"""{"temperature":{{i}}}""");
        }

        await Wait.UntilAsync(() => Task.FromResult(feed.Dropped + DeviceLiveFeed.MaxPendingValues >= Sent), Timeout, "the feed caught up with every stored value");
        var update = feed.Take();
        Assert.Equal(DeviceLiveFeed.MaxPendingValues, update.Values.Count);
        Assert.Equal(Sent, update.Values[^1].Value.GetInt32());
        Assert.Equal(Enumerable.Range(Sent - DeviceLiveFeed.MaxPendingValues + 1, DeviceLiveFeed.MaxPendingValues), update.Values.Select(v => v.Value.GetInt32()));
    }

    [Fact]
    public async Task Property_command_and_connection_events_of_the_device_are_reported_as_changes_without_values()
    {
        await using var feed = Watch("app", "pump-1");
        _bus.Publish(Event(DeviceEventKind.ReportedPropertiesChanged, "pump-1"));
        _bus.Publish(Event(DeviceEventKind.CommandAnswered, "pump-1"));
        _bus.Publish(Event(DeviceEventKind.Connected, "pump-1"));
        _bus.Publish(Event(DeviceEventKind.DesiredPropertiesChanged, "pump-2"));

        var changes = DeviceChanges.None;
        await Wait.UntilAsync(() =>
        {
            changes |= feed.Take().Changes;
            return Task.FromResult(changes == (DeviceChanges.Properties | DeviceChanges.Commands | DeviceChanges.Connection));
        }, Timeout, "the three changes of the device were reported");
    }

    [Fact]
    public async Task A_device_moved_out_of_reach_ends_the_feed_and_shows_nothing_more()
    {
        var reached = true;
        await using var feed = Watch("app", "pump-1", () => reached);
        reached = false;
        _bus.Publish(Event(DeviceEventKind.Updated, "pump-1"));

        await Wait.UntilAsync(() => Task.FromResult(feed.IsGone), Timeout, "the feed ended");
        Assert.Equal(DeviceChanges.Gone, feed.Take().Changes);
        await StoreAsync("app", "pump-1", """{"temperature":5}""");
        Assert.Empty(feed.Take().Values);
    }

    private DeviceLiveFeed Watch(string application, string device, Func<bool>? reached = null)
    {
        var queries = new TelemetryQueries(_ingest);
        return DeviceLiveFeed.Start(
            _bus.SubscribeToDevice(application, device, DeviceLiveFeed.EventCapacity), application, device,
            _ => Task.FromResult(reached?.Invoke() ?? true),
            (after, since, limit, token) => queries.DeviceValuesAsync(application, device, after, since, limit, token),
            TimeProvider.System, NullLogger.Instance);
    }

    private static bool Took(DeviceLiveFeed feed, List<DeviceTelemetryValue> seen)
    {
        seen.AddRange(feed.Take().Values);
        return true;
    }

    private async Task StoreAsync(string application, string device, string body)
    {
        var stored = await _ingest.SubmitAsync(new TelemetryMessage
        {
            ApplicationId = application,
            DeviceId = device,
            ContentType = "application/json",
            Body = Encoding.UTF8.GetBytes(body),
            EnqueuedTime = DateTimeOffset.UtcNow,
        }, waitForRoom: true, CancellationToken.None);
        await stored!;
    }

    private static DeviceEvent Event(DeviceEventKind kind, string device) => new(kind, "app", device, 0, DateTimeOffset.UtcNow, new JsonObject());
}
