namespace Centrum.IotHub.Connections;

/// <summary>The bounds one MQTT connection runs within, taken from its endpoint's validated options.</summary>
/// <param name="ConnectTimeout">Time from accept to an accepted CONNECT (MQTT 3.1.1 §3.1.4 leaves it to the server).</param>
/// <param name="OutboundQueueCapacity">Frames that may wait for the peer before the connection stops reading or closes.</param>
/// <param name="OutboundQueueBytes">Bytes of PUBLISHes to the peer that may wait for it.</param>
internal sealed record MqttConnectionLimits(TimeSpan ConnectTimeout, int OutboundQueueCapacity, int OutboundQueueBytes);
