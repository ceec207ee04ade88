using System.ComponentModel.DataAnnotations;

namespace Centrum.Edge.Downstream;

/// <summary>Section <c>Edge:Downstream</c>: the MQTT listener downstream devices dial (their <c>GatewayHostName</c>).</summary>
public sealed class DownstreamOptions
{
    public const string Section = "Edge:Downstream";

    /// <summary>The address to listen on; <c>0.0.0.0</c> for every interface of the device.</summary>
    [Required]
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>IoT Hub's MQTT port, which the device SDKs dial for a gateway too.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 8883;

    /// <summary>
    /// PEM certificate the listener presents. Downstream devices must trust its chain (their CA file); its subject
    /// names the host name they dial.
    /// </summary>
    [Required]
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    [Required]
    public string KeyPath { get; set; } = "";
}
