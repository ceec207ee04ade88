using System.Collections.Immutable;
using System.Threading.Channels;

namespace Centrum.Events;

/// <summary>The in-process event stream of a single node.</summary>
public sealed class DeviceEventBus : IDeviceEvents
{
    private ImmutableArray<Channel<DeviceEvent>> _subscribers = [];

    public void Publish(DeviceEvent deviceEvent)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(deviceEvent);
        }
    }

    public DeviceEventSubscription Subscribe(int capacity = 10_000)
    {
        var channel = Channel.CreateBounded<DeviceEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(channel));
        return new DeviceEventSubscription(channel.Reader, () =>
        {
            ImmutableInterlocked.Update(ref _subscribers, s => s.Remove(channel));
            channel.Writer.TryComplete();
        });
    }
}
