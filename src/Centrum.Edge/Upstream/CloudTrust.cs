using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.Edge.Upstream;

/// <summary>
/// Whether the cloud's TLS certificate is trusted: by the system's store, or, with <see cref="UpstreamOptions.TrustedCaPath"/>,
/// by a chain to exactly that CA (custom root trust, revocation not fetched: the edge may have no route to a CRL).
/// </summary>
internal sealed class CloudTrust
{
    private readonly X509Certificate2Collection? _roots;

    public CloudTrust(UpstreamOptions options)
    {
        if (options.TrustedCaPath is { Length: > 0 } path)
        {
            _roots = [];
            _roots.ImportFromPemFile(path);
        }
    }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }
}
