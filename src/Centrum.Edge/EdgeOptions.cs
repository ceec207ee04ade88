using System.ComponentModel.DataAnnotations;

namespace Centrum.Edge;

/// <summary>Section <c>Edge</c>: who this edge is upstream and how it serves downstream devices.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>
    /// The IoT Hub host name of the application the edge belongs to: downstream devices name it in their user name and
    /// SAS tokens (their connection string's <c>HostName</c>), even though they dial the edge (<c>GatewayHostName</c>).
    /// </summary>
    [Required]
    public string HubHostName { get; set; } = "";

    /// <summary>The IoT Edge device this runtime is, in the cloud's registry.</summary>
    [Required]
    public string DeviceId { get; set; } = "";

    /// <summary>Tolerated clock difference when checking a downstream device's SAS token expiry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A downstream connection that has not sent an accepted CONNECT by then is closed (MQTT 3.1.1 §3.1.4).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames that may wait for one slow downstream device before its connection stops being read.</summary>
    [Range(16, 1_000_000)]
    public int OutboundQueueCapacity { get; set; } = 1_000;

    /// <summary>Bytes of PUBLISHes that may wait for one downstream device.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int OutboundQueueBytes { get; set; } = 1024 * 1024;
}
