using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.Simulation;

/// <summary>
/// Where simulated devices dial: this server's own MQTT listener on a local address, and the certificate it presents,
/// which they trust exactly (the one the server loaded: issued by its local CA or configured by the operator), as an
/// SDK device trusts the CA it was given. Registered by the host, which alone knows the listeners.
/// </summary>
public sealed record SimulationEndpoint(IPAddress Address, int Port, X509Certificate2 ServerCertificate)
{
    /// <summary>The address to dial for a listen address: loopback for "every interface", else the address itself.</summary>
    public static IPAddress Dialable(IPAddress listen) =>
        listen.Equals(IPAddress.Any) ? IPAddress.Loopback : listen.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : listen;
}
