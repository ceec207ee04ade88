namespace Centrum.IotHub.Mqtt;

/// <summary>MQTT 3.1.1 control packet types (spec §2.2.1).</summary>
internal enum MqttPacketType : byte
{
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
}

/// <summary>CONNACK return codes (spec §3.2.2.3).</summary>
internal enum ConnectReturnCode : byte
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
}

internal abstract record MqttPacket;

internal sealed record ConnectPacket(
    string ProtocolName,
    byte ProtocolLevel,
    string ClientId,
    bool CleanSession,
    ushort KeepAliveSeconds,
    string? UserName,
    string? Password,
    string? WillTopic,
    byte[]? WillMessage,
    byte WillQos) : MqttPacket;

internal sealed record PublishPacket(string Topic, byte Qos, bool Duplicate, bool Retain, ushort PacketId, byte[] Payload) : MqttPacket;

internal sealed record PubAckPacket(ushort PacketId) : MqttPacket;

internal sealed record SubscribePacket(ushort PacketId, IReadOnlyList<(string Filter, byte Qos)> Filters) : MqttPacket;

internal sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> Filters) : MqttPacket;

internal sealed record PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();
}

internal sealed record DisconnectPacket : MqttPacket
{
    public static readonly DisconnectPacket Instance = new();
}
