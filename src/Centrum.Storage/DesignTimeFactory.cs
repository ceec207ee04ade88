using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Storage;

/// <summary>Used only by <c>dotnet ef migrations add</c>: the model as the server builds it, Identity's schema version included.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CentrumDbContext>
{
    public CentrumDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion)
            .BuildServiceProvider();
        return new(new DbContextOptionsBuilder<CentrumDbContext>().UseSqlite("Data Source=design.db").UseApplicationServiceProvider(services).Options);
    }
}
