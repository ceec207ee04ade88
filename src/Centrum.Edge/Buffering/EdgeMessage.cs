namespace Centrum.Edge.Buffering;

/// <summary>
/// A message the edge holds for an endpoint (<c>$upstream</c> or a module input): who sent it, its IoT Hub properties
/// as the MQTT topic's property bag carries them (IoT Hub MQTT support, "Sending device-to-cloud messages"), and its
/// body, kept as the device sent it.
/// </summary>
/// <param name="Source">The device id, or <c>{deviceId}/{moduleId}</c> for a module.</param>
/// <param name="Properties">The URL-encoded property bag (application and <c>$.</c> system properties), or empty.</param>
/// <param name="Body">The payload, unchanged.</param>
public sealed record EdgeMessage(string Source, string Properties, ReadOnlyMemory<byte> Body)
{
    /// <summary>What the message counts against the store's budget.</summary>
    public long Size => Body.Length + (Source.Length + Properties.Length) * sizeof(char);
}
