using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Centrum.Export.Tests.Destinations.Infrastructure;

namespace Centrum.IntegrationTests.FileUploads;

/// <summary>
/// Azurite serving HTTPS on 127.0.0.1 with a certificate from a CA of its own: the device SDKs build
/// <c>https://{hostName}/…</c> blob URLs themselves, so file uploads need a TLS blob endpoint. The Node device trusts
/// the server's CA and this one (<see cref="TrustedFor"/>); the test's own Blob SDK client trusts this CA alone.
/// </summary>
public sealed class TlsAzurite : IAsyncLifetime
{
    private readonly TestFolder _folder = new();
    private X509Certificate2? _ca;
    private Azurite? _azurite;

    public string ConnectionString => _azurite!.ConnectionString;

    public const string AccountKey = Azurite.AccountKey;

    public async Task InitializeAsync()
    {
        _ca = TestCertificates.CreateCa("Azurite CA");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var leaf = issued.CopyWithPrivateKey(key);
        var (certFile, keyFile) = TestCertificates.WritePem(leaf, _folder.Path, "azurite");
        _azurite = new Azurite { CertificateFile = certFile, KeyFile = keyFile };
        await _azurite.InitializeAsync();
    }

    /// <summary>A PEM file with the server's CA and this one, for NODE_EXTRA_CA_CERTS.</summary>
    internal string TrustedFor(CentrumServer server)
    {
        var path = Path.Combine(_folder.Path, $"trusted-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, File.ReadAllText(server.CaCertificatePath) + "\n" + _ca!.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>A container client of the emulator's account, over HTTPS, trusting this CA.</summary>
    public BlobContainerClient Container(string name) =>
        new BlobServiceClient(ConnectionString, new BlobClientOptions { Transport = Transport() }).GetBlobContainerClient(name);

    /// <summary>An HTTP transport for the Blob SDK that trusts this CA.</summary>
    public HttpClientTransport Transport() =>
        new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, _ca!) });

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _ca?.Dispose();
        _folder.Dispose();
    }
}
