using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Authentication;

namespace Centrum.Gateway.Sessions;

/// <summary>
/// A device's (or module's) one live connection on this node, whatever its transport (MQTT or AMQP). The
/// <see cref="ConnectionRegistry"/> holds at most one per client id: a newer one replaces the older across transports
/// (IoT Hub: one connection per device identity at a time).
/// </summary>
internal interface IDeviceSession
{
    DeviceIdentity Identity { get; }

    /// <summary>Completes when the session has ended and cleaned up.</summary>
    Task Completion { get; }

    void Close(string reason);

    /// <summary>Whether the device listens for what <paramref name="topic"/> (an IoT Hub MQTT topic name) carries.</summary>
    bool IsSubscribed(string topic);

    Task<DirectMethodResult> InvokeMethodAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken);

    void PushDesired(long version, JsonObject patch);

    void SignalCloudToDevice();
}
