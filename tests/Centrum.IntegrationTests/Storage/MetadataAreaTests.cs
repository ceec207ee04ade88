using Centrum.Server.Hosting;
using Centrum.Storage;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// The areas configure their own entities and the host registers them (<see cref="MetadataAreas"/>); the model is built
/// from those registrations, on PostgreSQL at run time and by the EF Core tools through <see cref="DesignTimeFactory"/>.
/// </summary>
public sealed class MetadataAreaTests
{
    [Fact]
    public void A_context_given_no_areas_refuses_to_build_its_model_and_names_the_registration()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var options = StorageServiceCollectionExtensions.UsePostgreSql(new DbContextOptionsBuilder<CentrumDbContext>(), "Host=127.0.0.1;Database=unused")
            .UseApplicationServiceProvider(services).Options;
        using var db = new CentrumDbContext((DbContextOptions<CentrumDbContext>)options);

        var refused = Assert.Throws<InvalidOperationException>(() => db.Model);
        Assert.Contains(nameof(MetadataAreaServiceCollectionExtensions.AddMetadataArea), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_area_and_its_releases_are_registered_once_however_often_it_is_added()
    {
        var services = new ServiceCollection().AddMetadataAreas().AddMetadataAreas();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(MetadataAreas.All, provider.GetServices<MetadataArea>().Select(a => a.Assembly));
        var releases = provider.GetServices<IAreaData>().Select(a => a.Area).ToList();
        Assert.Equal(releases.Distinct(), releases);
        Assert.Equal(["Commands", "Dashboards", "Devices", "Export", "Gateway", "Groups", "Jobs", "Provisioning", "Storage", "Templates", "Twins"], releases.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_design_time_factory_builds_the_postgresql_model_the_postgresql_migrations_hold()
    {
        using var db = new DesignTimeFactory().CreateDbContext([DesignTimeFactory.PostgreSqlArgument]);

        Assert.True(db.Database.IsNpgsql());
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model has changes no PostgreSQL migration holds: dotnet ef migrations add <Name> -p src/Centrum.Storage.PostgreSql -s src/Centrum.Server -- PostgreSql");
    }
}
