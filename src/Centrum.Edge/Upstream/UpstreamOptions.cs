using System.ComponentModel.DataAnnotations;

namespace Centrum.Edge.Upstream;

/// <summary>Section <c>Edge:Upstream</c>: how the edge reaches its cloud (the Centrum gateway of its application).</summary>
public sealed class UpstreamOptions
{
    public const string Section = "Edge:Upstream";

    /// <summary>
    /// The edge device's symmetric key (its connection string's <c>SharedAccessKey</c>). A secret: give it through the
    /// environment (<c>Edge__Upstream__SharedAccessKey</c>) or a file only root reads, never on a command line.
    /// </summary>
    [Required]
    public string SharedAccessKey { get; set; } = "";

    /// <summary>The host to dial, when it is not the hub host name itself (a connection string's <c>GatewayHostName</c>).</summary>
    public string? GatewayHostName { get; set; }

    /// <summary>The cloud's MQTT port.</summary>
    [Range(1, 65535)]
    public int MqttPort { get; set; } = 8883;

    /// <summary>The cloud's HTTPS port (IoT Hub's registry and device-scope calls).</summary>
    [Range(1, 65535)]
    public int HttpsPort { get; set; } = 443;

    /// <summary>PEM file of the CA the cloud's certificate chains to, when the system's trust store does not hold it (Centrum's own CA).</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Where the last device scope read from the cloud is kept, for a start while the cloud is unreachable.</summary>
    [Required]
    public string ScopeCachePath { get; set; } = "centrum-edge-scope.json";

    /// <summary>How often the device scope is read again; IoT Edge's hub refreshes its cache hourly by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScopeRefresh { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Messages the forwarder reads from the store and sends before it moves its checkpoint.</summary>
    [Range(1, 10_000)]
    public int ForwardBatch { get; set; } = 200;

    /// <summary>Longest wait between attempts while the cloud is unreachable (the wait doubles from a second up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
