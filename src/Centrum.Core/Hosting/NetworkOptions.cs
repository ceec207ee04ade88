using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Centrum.Hosting;

/// <summary>Names, addresses and ports. Section <c>Centrum:Network</c>.</summary>
public sealed class NetworkOptions : IValidatableObject
{
    public const string Section = "Centrum:Network";

    /// <summary>
    /// The DNS names clients use to reach this server. The first is the base domain: applications get
    /// <c>{applicationId}.{first host name}</c> as their hub host name unless given one. The generated server
    /// certificate covers every name and its wildcard.
    /// </summary>
    /// <remarks>Empty means <c>localhost</c>. (No initializer: the configuration binder appends to a pre-filled list.)</remarks>
    public List<string> HostNames { get; set; } = [];

    /// <summary>
    /// The IP addresses to listen on. Several instances can run side by side on different loopback addresses with the
    /// SDKs' fixed ports (8883, 443). <c>0.0.0.0</c> listens on every interface.
    /// </summary>
    /// <remarks>Empty means <c>0.0.0.0</c>.</remarks>
    public List<string> ListenAddresses { get; set; } = [];

    /// <summary>MQTT over TLS. The Azure IoT SDKs always dial 8883.</summary>
    [Range(1, 65535)]
    public int MqttPort { get; set; } = 8883;

    /// <summary>AMQP 1.0 over TLS. The Azure IoT SDKs' AMQP transports always dial 5671.</summary>
    [Range(1, 65535)]
    public int AmqpPort { get; set; } = 5671;

    /// <summary>
    /// HTTPS: REST API and MQTT over WebSockets. The SDKs' <c>MqttWs</c> transport always dials 443; the default 8443
    /// lets an unprivileged user start the server. Set 443 (as root, or with CAP_NET_BIND_SERVICE) for WebSocket devices.
    /// </summary>
    [Range(1, 65535)]
    public int HttpsPort { get; set; } = 8443;

    /// <summary>Plain-HTTP listener for health and metrics; loopback only by default so it needs no authentication.</summary>
    [Required]
    public string ManagementUrl { get; set; } = "http://127.0.0.1:9464";

    public IReadOnlyList<string> EffectiveHostNames => HostNames.Count == 0 ? ["localhost"] : HostNames;

    public IReadOnlyList<string> EffectiveListenAddresses => ListenAddresses.Count == 0 ? ["0.0.0.0"] : ListenAddresses;

    /// <summary>What the listeners need before they can be opened: addresses, distinct ports, a management URL Kestrel can bind.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < ListenAddresses.Count; i++)
        {
            if (!IPAddress.TryParse(ListenAddresses[i], out _))
            {
                yield return new($"'{ListenAddresses[i]}' is not an IP address (0.0.0.0 listens on every interface).", [$"{nameof(ListenAddresses)}:{i}"]);
            }
        }

        for (var i = 0; i < HostNames.Count; i++)
        {
            if (Uri.CheckHostName(HostNames[i]) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            {
                yield return new($"'{HostNames[i]}' is not a DNS name or an IP address.", [$"{nameof(HostNames)}:{i}"]);
            }
        }

        if (MqttPort == HttpsPort)
        {
            yield return new($"The MQTT and HTTPS listeners cannot share port {MqttPort}.", [nameof(HttpsPort)]);
        }

        if (AmqpPort == MqttPort || AmqpPort == HttpsPort)
        {
            yield return new($"The AMQP listener cannot share port {AmqpPort} with the MQTT or HTTPS listener.", [nameof(AmqpPort)]);
        }

        // The management listener binds the URL's host as an address (Kestrel's Listen): a name would not bind.
        if (!Uri.TryCreate(ManagementUrl, UriKind.Absolute, out var management) || management.Scheme != Uri.UriSchemeHttp
            || !IPAddress.TryParse(management.Host.Trim('[', ']'), out _))
        {
            yield return new($"'{ManagementUrl}' is not an http:// URL with an IP address and a port, such as http://127.0.0.1:9464.", [nameof(ManagementUrl)]);
        }
        else if (management.Port == MqttPort || management.Port == HttpsPort || management.Port == AmqpPort)
        {
            yield return new($"The management listener cannot share port {management.Port} with the MQTT, AMQP or HTTPS listener.", [nameof(ManagementUrl)]);
        }
    }
}
