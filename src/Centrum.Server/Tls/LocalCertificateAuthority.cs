using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.Server.Tls;

/// <summary>
/// The certificate authority Centrum creates on first start, and the server certificate it issues. Devices trust the
/// CA's PEM (Node: <c>NODE_EXTRA_CA_CERTS</c>); the server certificate is re-issued whenever the configured names and
/// addresses change, so it always carries a SAN for what clients dial (IoT Hub docs "Transport Layer Security (TLS) support in IoT Hub"; the SDKs check the host name).
/// </summary>
internal sealed class LocalCertificateAuthority(string folder)
{
    public string CaCertificatePath => Path.Combine(folder, "ca.pem");

    private string CaKeyPath => Path.Combine(folder, "ca.key.pem");

    private string ServerCertificatePath => Path.Combine(folder, "server.pem");

    private string ServerKeyPath => Path.Combine(folder, "server.key.pem");

    private string ServerNamesPath => Path.Combine(folder, "server.names");

    public X509Certificate2 EnsureServerCertificate(IReadOnlyList<string> hostNames, IReadOnlyList<IPAddress> addresses)
    {
        Directory.CreateDirectory(folder);
        var ca = EnsureCa();
        var names = hostNames.SelectMany(h => new[] { h, "*." + h }).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var ips = addresses.Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        var wanted = string.Join('\n', names.Concat(ips));
        if (File.Exists(ServerCertificatePath) && File.Exists(ServerKeyPath) && File.Exists(ServerNamesPath) && File.ReadAllText(ServerNamesPath) == wanted)
        {
            var existing = X509Certificate2.CreateFromPemFile(ServerCertificatePath, ServerKeyPath);
            if (existing.NotAfter > DateTime.UtcNow.AddDays(30))
            {
                return Exportable(existing);
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostNames[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        names.ForEach(san.AddDnsName);
        foreach (var ip in ips)
        {
            san.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), serial);
        var certificate = issued.CopyWithPrivateKey(key);
        WritePrivate(ServerKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(ServerCertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(ServerNamesPath, wanted);
        return Exportable(certificate);
    }

    private X509Certificate2 EnsureCa()
    {
        if (File.Exists(CaCertificatePath) && File.Exists(CaKeyPath))
        {
            return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Centrum local CA {Environment.MachineName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        WritePrivate(CaKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CaCertificatePath, ca.ExportCertificatePem());
        return ca;
    }

    /// <summary>SslStream on Linux accepts ephemeral keys, but a PKCS#12 round trip keeps the key usable everywhere.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 certificate)
    {
        var pfx = certificate.Export(X509ContentType.Pkcs12);
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }

    private static void WritePrivate(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
