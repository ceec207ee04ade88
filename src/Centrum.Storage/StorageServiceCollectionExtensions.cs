using System.Security.Cryptography.X509Certificates;
using Centrum.Hosting;
using Centrum.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Centrum.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The metadata store (SQLite or PostgreSQL through EF Core, <see cref="StorageOptions.Provider"/>) and the secret
    /// protector (Data Protection key ring in the data folder).
    /// </summary>
    public static IServiceCollection AddCentrumStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<StorageOptions>(configuration, StorageOptions.Section);

        var storage = configuration.GetValidated<StorageOptions>(StorageOptions.Section);
        Directory.CreateDirectory(storage.FullDataFolder);

        // The store is chosen from the validated options when the first context is made (the initializer, before
        // anything else), so a PostgreSQL provider without a connection string fails start with the option's name.
        services.AddPooledDbContextFactory<CentrumDbContext>((provider, options) => UseMetadataStore(options, provider.GetRequiredService<IOptions<StorageOptions>>().Value));

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
        else
        {
            // Without a certificate from the operator there is no secret to encrypt the keys with that would not lie
            // beside them in the data folder; what protects them is the folder itself, readable by the server's user
            // only. Saying so (the null encryptor) replaces Data Protection's warning that no encryptor is configured.
            RestrictToOwner(storage.KeyRingFolder);
            services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new NullXmlEncryptor());
        }

        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<StorageInitializer>();
        services.AddSingleton<Events.DeviceEventLog>();
        services.AddMetrics();
        services.AddSectionOptions<Writing.MetadataWriterOptions>(configuration, Writing.MetadataWriterOptions.Section);
        services.AddSingleton<Writing.MetadataWriterMetrics>();
        services.AddSingleton<Writing.MetadataWriter>();
        return services;
    }

    /// <summary>The assembly that holds the PostgreSQL migrations (EF Core keeps one migrations assembly per provider).</summary>
    public const string PostgreSqlMigrationsAssembly = "Centrum.Storage.PostgreSql";

    /// <summary>The metadata store <paramref name="storage"/> names.</summary>
    public static DbContextOptionsBuilder UseMetadataStore(DbContextOptionsBuilder options, StorageOptions storage) => storage.Provider switch
    {
        MetadataProvider.PostgreSql => UsePostgreSql(options, storage.PostgreSqlConnectionString
            ?? throw new InvalidOperationException($"{StorageOptions.Section}:PostgreSqlConnectionString is required when {StorageOptions.Section}:Provider is PostgreSql.")),
        _ => UseSqlite(options, storage.MetadataDatabasePath),
    };

    /// <summary>
    /// SQLite with its compiled model. Building the model from <see cref="CentrumDbContext.OnModelCreating"/> took
    /// about 1.1 s of every start (docs/benchmarks.md, "Cold start to ready"); the compiled model is generated from the
    /// same model and loads in a fraction of that. A compiled model carries its provider's type mappings, so it is used
    /// only with the provider it was generated for: PostgreSQL builds its model at run time. It is not registered for
    /// the assembly (the generator's <c>DbContextModel</c> attribute is left out), so nothing picks it up for another
    /// provider by accident.
    /// Migrate on an empty database would still build the model from the code to compare it with the last migration's
    /// snapshot (the pending-model-changes warning, about 1 s); that comparison is made by the test suite instead
    /// (CompiledModelTests, which also fails when the compiled model is stale), so the server skips it.
    /// </summary>
    public static DbContextOptionsBuilder UseSqlite(DbContextOptionsBuilder options, string databasePath) =>
        CentrumDbContext.UseAreaModels(options.UseSqlite(ConnectionString(databasePath)))
            .UseModel(CompiledModel.CentrumDbContextModel.Instance)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>
    /// PostgreSQL through Npgsql, its migrations from <see cref="PostgreSqlMigrationsAssembly"/>. No retrying execution
    /// strategy: the event log's units of work are user transactions (<see cref="Events.DeviceEventAppend"/>), which a
    /// retrying strategy would refuse; a failed write reaches the caller as SQLite's would.
    /// </summary>
    public static DbContextOptionsBuilder UsePostgreSql(DbContextOptionsBuilder options, string connectionString) =>
        CentrumDbContext.UseAreaModels(options.UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgreSqlMigrationsAssembly)));

    private static void RestrictToOwner(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// Whether a key is encrypted to a certificate (<c>EncryptedXmlDecryptor</c>); the null encryptor's envelope
    /// (<c>NullXmlDecryptor</c>) needs nothing to read.
    /// </summary>
    private static bool KeyRingIsEncrypted(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.xml").Any(f => File.ReadAllText(f).Contains(nameof(EncryptedXmlDecryptor), StringComparison.Ordinal));

    internal static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
