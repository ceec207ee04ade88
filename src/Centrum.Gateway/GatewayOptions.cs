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
}
