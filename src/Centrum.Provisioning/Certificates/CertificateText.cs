using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.Provisioning.Certificates;

/// <summary>Certificates as the REST API carries them: base64 DER, or PEM.</summary>
public static class CertificateText
{
    public static bool TryParse(string? text, out X509Certificate2? certificate)
    {
        certificate = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            certificate = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text.Trim()));
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }
    }

    public static string ToBase64(X509Certificate2 certificate) => Convert.ToBase64String(certificate.RawData);

    /// <summary>SHA-1 thumbprint, upper-case hex: what IoT Central shows as <c>sha1Thumbprint</c>.</summary>
    public static string Thumbprint(X509Certificate2 certificate) => certificate.Thumbprint.ToUpperInvariant();

    /// <summary>
    /// The policy for every chain built from a certificate someone outside presented: nothing is fetched. A client
    /// certificate's Authority Information Access and CRL distribution point URLs are the presenter's choice; following
    /// them before it is authenticated would let anyone make the server connect where they like (RFC 5280 §4.2.2.1
    /// makes fetching optional). Chains are built from what the client sent and the trust anchors Centrum holds.
    /// </summary>
    public static X509ChainPolicy OfflinePolicy() => new()
    {
        DisableCertificateDownloads = true,
        RevocationMode = X509RevocationMode.NoCheck,
    };

    /// <summary>Whether <paramref name="leaf"/> chains to one of <paramref name="anchors"/> and is valid now, without fetching anything.</summary>
    public static bool ChainsTo(X509Certificate2 leaf, IEnumerable<X509Certificate2> anchors)
    {
        using var chain = new X509Chain { ChainPolicy = OfflinePolicy() };
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var anchor in anchors)
        {
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
        }

        return chain.ChainPolicy.CustomTrustStore.Count > 0 && chain.Build(leaf);
    }

    public static string? CommonName(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
