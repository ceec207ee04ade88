using System.Security.Cryptography.X509Certificates;
using Centrum.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Centrum.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The metadata store (SQLite through EF Core) and the secret protector (Data Protection key ring in the data folder).</summary>
    public static IServiceCollection AddCentrumStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        Directory.CreateDirectory(storage.FullDataFolder);

        services.AddPooledDbContextFactory<CentrumDbContext>(options =>
            options.UseSqlite(ConnectionString(storage.MetadataDatabasePath)));

        var dataProtection = services.AddDataProtection()
            .SetApplicationName("Centrum")
            .PersistKeysToFileSystem(new DirectoryInfo(storage.KeyRingFolder));
        if (storage.KeyRingCertificatePath is not { Length: > 0 } && KeyRingIsEncrypted(storage.KeyRingFolder))
        {
            // Without the certificate Data Protection would quietly start a new key ring, and every secret stored
            // under the old one (device keys, token keys, destination secrets) would become unreadable.
            throw new InvalidOperationException(
                $"The key ring in the data folder is encrypted with a certificate: set {StorageOptions.Section}:KeyRingCertificatePath (and its password) to start.");
        }

        if (storage.KeyRingCertificatePath is { Length: > 0 } certificatePath)
        {
            // Keys are written encrypted to the certificate and read back with it; on Linux there is no machine
            // certificate store to find it in, so it is also named for decryption.
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, storage.KeyRingCertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<StorageInitializer>();
        return services;
    }

    private static bool KeyRingIsEncrypted(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.xml").Any(f => File.ReadAllText(f).Contains("encryptedSecret", StringComparison.Ordinal));

    internal static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
