namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>
/// Azurite's blob service (the Azure Storage emulator, npm package <c>azurite</c> pinned in tests/node) on a port and
/// in a folder of its own. Shared by the tests of one class; each test writes to its own container. Given a certificate
/// and key (PEM files, <see cref="CertificateFile"/> and <see cref="KeyFile"/>), it serves HTTPS, as clients that build
/// <c>https://</c> blob URLs themselves need (the Azure IoT device SDKs' file upload). One parameterless constructor,
/// as xUnit requires of a class fixture.
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    /// <summary>The emulator's well-known development account (Azurite's documented default credentials).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TestFolder _folder = new();
    private ChildProcess? _process;

    public int Port { get; private set; }

    public string? CertificateFile { get; init; }

    public string? KeyFile { get; init; }

    public string ConnectionString => ConnectionStringWith(AccountKey);

    public string Scheme => CertificateFile is null ? "http" : "https";

    public string ConnectionStringWith(string accountKey) =>
        $"DefaultEndpointsProtocol={Scheme};AccountName={AccountName};AccountKey={accountKey};BlobEndpoint={Scheme}://127.0.0.1:{Port}/{AccountName};";

    public async Task InitializeAsync()
    {
        var executable = Path.Combine(Repository.NodeFolder, "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {executable}: building Centrum.Export.Tests runs 'npm ci' in tests/node; run it there by hand if the build was skipped.");
        }

        Port = ChildProcess.FreePort();
        List<string> arguments = ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _folder.Path, "--skipApiVersionCheck", "--loose", "--silent"];
        if (CertificateFile is not null && KeyFile is not null)
        {
            arguments.AddRange(["--cert", CertificateFile, "--key", KeyFile]);
        }

        _process = await ChildProcess.StartAsync(executable, arguments, Port, "Azurite");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _folder.Dispose();
    }
}
