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

        services.AddDataProtection()
            .SetApplicationName("Centrum")
            .PersistKeysToFileSystem(new DirectoryInfo(storage.KeyRingFolder));
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<StorageInitializer>();
        return services;
    }

    internal static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
