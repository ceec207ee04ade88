using Centrum.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Centrum.Server.Hosting;

/// <summary>
/// Used only by the EF Core tools, which need a project that sees every area (the areas configure their own entities):
/// <c>dotnet ef migrations add &lt;Name&gt; -p src/Centrum.Storage -s src/Centrum.Server</c> for SQLite,
/// <c>dotnet ef migrations add &lt;Name&gt; -p src/Centrum.Storage.PostgreSql -s src/Centrum.Server -- PostgreSql</c> for
/// PostgreSQL (the argument after <c>--</c> reaches <see cref="CreateDbContext"/>). The model is the one the server
/// builds, Identity's schema version included; adding a migration reads no database, so the connection strings name
/// none that must exist.
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CentrumDbContext>
{
    public const string PostgreSqlArgument = "PostgreSql";

    public CentrumDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion)
            .AddMetadataAreas()
            .BuildServiceProvider();
        var builder = new DbContextOptionsBuilder<CentrumDbContext>();
        var options = args.Contains(PostgreSqlArgument, StringComparer.OrdinalIgnoreCase)
            ? StorageServiceCollectionExtensions.UsePostgreSql(builder, "Host=localhost;Database=centrum_design")
            : CentrumDbContext.UseAreaModels(builder.UseSqlite("Data Source=design.db"));
        return new((DbContextOptions<CentrumDbContext>)options.UseApplicationServiceProvider(services).Options);
    }
}
