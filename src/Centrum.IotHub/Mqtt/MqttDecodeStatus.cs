namespace Centrum.IotHub.Mqtt;

internal enum MqttDecodeStatus
{
    /// <summary>A whole packet was read.</summary>
    Packet,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>The bytes break the protocol; the connection must close (spec §4.8).</summary>
    Malformed,

    /// <summary>The packet announces more bytes than the server accepts.</summary>
    TooLarge,

    /// <summary>A packet type the server does not accept (QoS 2 flow).</summary>
    Unsupported,
}
