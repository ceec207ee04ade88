using System.Net;
using System.Security.Cryptography.X509Certificates;
using Centrum.Hosting;
using Centrum.Storage;

namespace Centrum.Server.Tls;

/// <summary>Chooses the server certificate: the operator's, or one issued by the local CA.</summary>
internal static class ServerCertificates
{
    public static (X509Certificate2 Certificate, string? CaPath) Load(TlsOptions tls, NetworkOptions network, StorageOptions storage, IReadOnlyList<IPAddress> listen)
    {
        if (!string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            var certificate = string.IsNullOrWhiteSpace(tls.KeyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.Password)
                : string.IsNullOrEmpty(tls.Password)
                    ? X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(tls.CertificatePath, tls.Password, tls.KeyPath);
            return (certificate, null);
        }

        var addresses = listen.Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).ToList();
        if (addresses.Count < listen.Count)
        {
            addresses.Add(IPAddress.Loopback);
        }

        var authority = new LocalCertificateAuthority(storage.CertificatesFolder);
        return (authority.EnsureServerCertificate(network.EffectiveHostNames, addresses), authority.CaCertificatePath);
    }
}
