using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>An operator can bring their own server certificate instead of the generated one.</summary>
public sealed class OperatorCertificateTests
{
    [Fact]
    public async Task The_server_presents_the_certificate_the_operator_configured()
    {
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "operator-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var ca = TestCertificates.CreateCa("Operator CA");
        var address = LoopbackAddresses.Next();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=centrum.operator.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var signer = X509SignatureGenerator.CreateForRSA(ca.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(ca.SubjectName, signer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);
        var certFile = Path.Combine(folder, "server.pem");
        var keyFile = Path.Combine(folder, "server.key.pem");
        await File.WriteAllTextAsync(certFile, issued.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Tls:CertificatePath"] = certFile,
            ["Centrum:Tls:KeyPath"] = keyFile,
        }, address);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address, 8883);
        X509Certificate? presented = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            presented = certificate;
            return CentrumServer.TrustedByCa(certificate, ca);
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = address.ToString() });
        Assert.Equal(issued.Thumbprint, new X509Certificate2(presented!).Thumbprint);
        Assert.False(File.Exists(Path.Combine(server.DataFolder, "certificates", "server.pem")));
        Directory.Delete(folder, recursive: true);
    }
}
