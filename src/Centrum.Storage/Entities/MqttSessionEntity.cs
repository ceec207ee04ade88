namespace Centrum.Storage.Entities;

/// <summary>
/// A persistent (CleanSession=0) MQTT session: the SDKs never re-subscribe after a reconnect, so losing this breaks
/// twins, commands and C2D silently (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": CleanSession 0 keeps the subscriptions).
/// </summary>
public sealed class MqttSessionEntity
{
    public required string ApplicationId { get; set; }

    public required string ClientId { get; set; }

    /// <summary>JSON object: topic filter → granted QoS.</summary>
    public required string Subscriptions { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
