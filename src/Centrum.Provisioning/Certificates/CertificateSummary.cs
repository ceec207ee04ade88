using System.Security.Cryptography.X509Certificates;

namespace Centrum.Provisioning.Certificates;

/// <summary>What a person checks of a signing certificate before trusting devices to it: whose it is, which one, and until when.</summary>
public sealed record CertificateSummary(string Subject, string Issuer, string Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    /// <summary>Reads a stored certificate (base64 DER, as <see cref="CertificateText.ToBase64"/> writes it).</summary>
    public static CertificateSummary Of(string base64)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64));
        return new CertificateSummary(
            certificate.Subject, certificate.Issuer, CertificateText.Thumbprint(certificate),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}
