using System.Collections.Immutable;
using System.Threading.Channels;

namespace Centrum.Events;

/// <summary>The in-process event stream of a single node.</summary>
public sealed class DeviceEventBus : IDeviceEvents
{
    private ImmutableArray<Subscriber> _subscribers = [];

    public void Publish(DeviceEvent deviceEvent)
    {
        foreach (var subscriber in _subscribers)
        {
            if (subscriber.Wants(deviceEvent))
            {
                subscriber.Channel.Writer.TryWrite(deviceEvent);
            }
        }
    }

    public DeviceEventSubscription Subscribe(int capacity = 10_000) => Add(new Subscriber(NewChannel(capacity), null, null));

    public DeviceEventSubscription SubscribeToDevice(string applicationId, string deviceId, int capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationId);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        return Add(new Subscriber(NewChannel(capacity), applicationId, deviceId));
    }

    private DeviceEventSubscription Add(Subscriber subscriber)
    {
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(subscriber));
        return new DeviceEventSubscription(subscriber.Channel.Reader, () =>
        {
            ImmutableInterlocked.Update(ref _subscribers, s => s.Remove(subscriber));
            subscriber.Channel.Writer.TryComplete();
        });
    }

    private static Channel<DeviceEvent> NewChannel(int capacity) => Channel.CreateBounded<DeviceEvent>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    /// <summary>A subscriber's channel and, for a device's subscription, whose events it takes (decided on the publisher's thread, before anything is queued).</summary>
    private sealed record Subscriber(Channel<DeviceEvent> Channel, string? ApplicationId, string? DeviceId)
    {
        public bool Wants(DeviceEvent deviceEvent) =>
            ApplicationId is null
            || (string.Equals(deviceEvent.ApplicationId, ApplicationId, StringComparison.Ordinal) && string.Equals(deviceEvent.DeviceId, DeviceId, StringComparison.Ordinal));
    }
}
