using System.Text.Json.Nodes;
using Centrum.Events;

namespace Centrum.Core.Tests;

/// <summary>
/// A device's live subscription (what a device view reads) takes that device's events only, and a subscriber that does
/// not read never holds up the publishers: ingestion publishes on its commit path.
/// </summary>
public sealed class DeviceEventBusTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_device_subscription_never_receives_another_device_or_another_application()
    {
        var bus = new DeviceEventBus();
        using var device = bus.SubscribeToDevice("app-1", "pump-1", capacity: 100);
        using var everything = bus.Subscribe();

        var published = new[]
        {
            Event("app-1", "pump-1", 1),
            Event("app-1", "pump-2", 2),
            Event("app-2", "pump-1", 3),
            Event("app-1", "PUMP-1", 4),
            Event("app-1", "pump-1", 5, module: "edge"),
            Event("app-1", "", 6, DeviceEventKind.TemplateChanged),
            Event("app-1", "pump-1", 7, DeviceEventKind.ReportedPropertiesChanged),
        };
        foreach (var deviceEvent in published)
        {
            bus.Publish(deviceEvent);
        }

        Assert.Equal([1L, 5, 7], Drain(device).Select(e => e.Sequence));
        Assert.Equal(published.Select(e => e.Sequence), Drain(everything).Select(e => e.Sequence));
    }

    [Fact]
    public void A_subscriber_that_does_not_read_keeps_the_newest_events_and_never_blocks_the_publisher()
    {
        const int Capacity = 16;
        const int Published = 200_000;
        var bus = new DeviceEventBus();
        using var stalled = bus.SubscribeToDevice("app-1", "pump-1", Capacity);
        using var reading = bus.SubscribeToDevice("app-1", "pump-1", Published);

        // Publish returns for every event although the stalled subscriber reads nothing: a full channel drops its oldest.
        for (var sequence = 1L; sequence <= Published; sequence++)
        {
            bus.Publish(Event("app-1", "pump-1", sequence));
        }

        Assert.Equal(Enumerable.Range(Published - Capacity + 1, Capacity).Select(s => (long)s), Drain(stalled).Select(e => e.Sequence));
        Assert.Equal(Published, Drain(reading).Count);
    }

    [Fact]
    public async Task A_disposed_subscription_ends_its_reader_and_receives_nothing_more()
    {
        var bus = new DeviceEventBus();
        var subscription = bus.SubscribeToDevice("app-1", "pump-1", 10);
        bus.Publish(Event("app-1", "pump-1", 1));
        subscription.Dispose();
        bus.Publish(Event("app-1", "pump-1", 2));

        Assert.Equal([1L], Drain(subscription).Select(e => e.Sequence));
        await subscription.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static List<DeviceEvent> Drain(DeviceEventSubscription subscription)
    {
        var events = new List<DeviceEvent>();
        while (subscription.Reader.TryRead(out var deviceEvent))
        {
            events.Add(deviceEvent);
        }

        return events;
    }

    private static DeviceEvent Event(string application, string device, long sequence, DeviceEventKind kind = DeviceEventKind.TelemetryStored, string? module = null) =>
        new(kind, application, device, sequence, At, new JsonObject(), module);
}
