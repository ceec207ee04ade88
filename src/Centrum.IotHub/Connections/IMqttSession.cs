using Centrum.IotHub.Mqtt;

namespace Centrum.IotHub.Connections;

/// <summary>
/// What an accepted CONNECT opened on a connection: an IoT Hub device session or a DPS provisioning session. The
/// connection's loop hands it the packets that follow CONNECT, in order, and ends it once.
/// </summary>
internal interface IMqttSession
{
    ValueTask<PacketResult> PublishAsync(PublishPacket publish, CancellationToken cancellationToken);

    ValueTask<PacketResult> SubscribeAsync(SubscribePacket subscribe, CancellationToken cancellationToken);

    ValueTask<PacketResult> UnsubscribeAsync(UnsubscribePacket unsubscribe, CancellationToken cancellationToken);

    /// <summary>The device acknowledged a QoS 1 PUBLISH the server sent.</summary>
    ValueTask<PacketResult> AcknowledgedAsync(ushort packetId, CancellationToken cancellationToken);

    /// <summary>The CONNACK is queued: start what the session runs in the background.</summary>
    Task StartedAsync(CancellationToken cancellationToken);

    /// <summary>The connection is closing (any thread, possibly more than once): stop background work, fail what waits on the device.</summary>
    void Closing();

    /// <summary>The connection has stopped reading and writing: await the handlers and let go of the device.</summary>
    Task EndAsync(string reason, bool graceful);
}
