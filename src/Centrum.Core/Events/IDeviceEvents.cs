using System.Threading.Channels;

namespace Centrum.Events;

/// <summary>
/// The one internal stream of what happens to devices. Areas publish after the change is durable; exports, rules and
/// live views subscribe. On one node it is in-process; on several it will be NATS JetStream.
/// </summary>
public interface IDeviceEvents
{
    void Publish(DeviceEvent deviceEvent);

    /// <summary>
    /// A live subscription. A subscriber that does not keep up loses the oldest live events (never blocks publishers)
    /// and reads them back from the durable logs by sequence.
    /// </summary>
    DeviceEventSubscription Subscribe(int capacity = 10_000);

    /// <summary>
    /// A live subscription to one device's events (its modules' included), for a view of that device: the events of
    /// other devices and applications are never queued for it, so a small <paramref name="capacity"/> holds only what
    /// the view has not read yet. Like <see cref="Subscribe"/>, a full subscription loses its oldest events and never
    /// blocks publishers.
    /// </summary>
    DeviceEventSubscription SubscribeToDevice(string applicationId, string deviceId, int capacity);
}

public sealed class DeviceEventSubscription(ChannelReader<DeviceEvent> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<DeviceEvent> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}
