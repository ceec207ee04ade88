using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>Certificates a test makes for itself: a device CA, device leaves (RSA or ECDSA), proof-of-possession certificates.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A leaf signed by <paramref name="ca"/>, with its private key; ECDSA P-256 or RSA 2048.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string commonName, bool ecdsa, bool clientAuth = true)
    {
        AsymmetricAlgorithm key = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        using (key)
        {
            var request = key is ECDsa ec
                ? new CertificateRequest($"CN={commonName}", ec, HashAlgorithmName.SHA256)
                : new CertificateRequest($"CN={commonName}", (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            if (clientAuth)
            {
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            }

            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            // The CA's key signs, whatever the leaf's algorithm.
            var signer = X509SignatureGenerator.CreateForRSA(ca.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1);
            using var issued = request.Create(ca.SubjectName, signer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
            return key is ECDsa e ? issued.CopyWithPrivateKey(e) : issued.CopyWithPrivateKey((RSA)key);
        }
    }

    /// <summary>Writes the certificate and its PKCS#8 key as PEM files, for the Node SDK.</summary>
    public static (string CertFile, string KeyFile) WritePem(X509Certificate2 certificate, string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var certFile = Path.Combine(folder, name + ".pem");
        var keyFile = Path.Combine(folder, name + ".key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!;
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    public static string Base64(X509Certificate2 certificate) => Convert.ToBase64String(certificate.RawData);
}
