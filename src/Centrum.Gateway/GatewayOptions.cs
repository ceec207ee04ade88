using System.ComponentModel.DataAnnotations;

namespace Centrum.Gateway;

/// <summary>Section <c>Centrum:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Centrum:Gateway";

    /// <summary>A connection that has not sent CONNECT by then is closed (MQTT 3.1.1 §3.1.4 leaves the time to the server).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tolerated clock difference when checking SAS token expiry.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Server-to-device packets that may wait for one slow device before its connection is closed; bounds the memory
    /// one device can hold.
    /// </summary>
    [Range(16, 1_000_000)]
    public int OutboundQueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// New device connections accepted per second on this node; beyond it CONNECT is answered 0x03 (server
    /// unavailable), which the SDKs retry with back-off, as IoT Hub does (IoT Hub docs "IoT Hub quotas and throttling", throttling and traffic shaping). It keeps a
    /// fleet that reconnects at once from starving connected devices.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ConnectionsPerSecond { get; set; } = 1000;
}
