namespace Centrum.IotHub;

/// <summary>IoT Hub's limits, as named constants with their source.</summary>
internal static class IotHubLimits
{
    /// <summary>D2C message: body + system property values + application property names and values (IoT Hub docs "Create and read IoT Hub messages", message size).</summary>
    public const int MaxTelemetrySize = 256 * 1024;

    /// <summary>Largest MQTT packet accepted: a maximal message plus its topic, bag and headers.</summary>
    public const int MaxPacketSize = MaxTelemetrySize + 64 * 1024;

    /// <summary>Message id (IoT Hub docs "Create and read IoT Hub messages", system properties).</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>Server closes a connection silent for 1.5 × keep-alive, at most 1767 s; keep-alive 0 means that cap (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Default keep-alive timeout").</summary>
    public static TimeSpan IdleTimeout(ushort keepAliveSeconds) =>
        keepAliveSeconds == 0 ? TimeSpan.FromSeconds(1767) : TimeSpan.FromSeconds(Math.Min(keepAliveSeconds * 1.5, 1767));
}
