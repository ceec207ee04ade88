using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Storage.PostgreSql;

/// <summary>
/// Used only by <c>dotnet ef migrations add … -p src/Centrum.Storage.PostgreSql -s src/Centrum.Storage.PostgreSql</c>:
/// the model as the server builds it on PostgreSQL. Adding a migration reads no database, so the connection string
/// names none that must exist.
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CentrumDbContext>
{
    public CentrumDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion)
            .BuildServiceProvider();
        var options = StorageServiceCollectionExtensions.UsePostgreSql(new DbContextOptionsBuilder<CentrumDbContext>(), "Host=localhost;Database=centrum_design")
            .UseApplicationServiceProvider(services);
        return new((DbContextOptions<CentrumDbContext>)options.Options);
    }
}
