using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Centrum.Storage;

/// <summary>Used only by <c>dotnet ef migrations add</c>.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CentrumDbContext>
{
    public CentrumDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CentrumDbContext>().UseSqlite("Data Source=design.db").Options);
}
