using Centrum.Server.Hosting;
using Centrum.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// PostgreSQL has migrations of its own (src/Centrum.Storage.PostgreSql); an entity change needs a migration for each
/// provider. The comparison reads no database.
/// </summary>
public sealed class PostgreSqlMigrationsTests
{
    [Fact]
    public void The_postgresql_migrations_cover_the_model_built_from_the_code()
    {
        using var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion)
            .AddMetadataAreas()
            .BuildServiceProvider();
        var options = StorageServiceCollectionExtensions.UsePostgreSql(new DbContextOptionsBuilder<CentrumDbContext>(), "Host=127.0.0.1;Database=unused")
            .UseApplicationServiceProvider(services).Options;
        using var db = new CentrumDbContext((DbContextOptions<CentrumDbContext>)options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model has changes no PostgreSQL migration holds: dotnet ef migrations add <Name> -p src/Centrum.Storage.PostgreSql -s src/Centrum.Server -- PostgreSql");
        Assert.Contains(db.Database.GetMigrations(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
    }
}
