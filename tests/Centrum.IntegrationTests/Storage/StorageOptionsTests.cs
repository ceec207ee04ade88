using Centrum.Server.Hosting;
using Centrum.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Centrum.IntegrationTests.Storage;

/// <summary>The metadata store is chosen by configuration and a choice that cannot work stops the start, naming the setting.</summary>
public sealed class StorageOptionsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "options-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void PostgreSql_without_a_connection_string_stops_the_start_naming_the_setting()
    {
        // Storage options are read (and validated) when the store is composed, before any service exists.
        var refused = Assert.Throws<OptionsValidationException>(() => Services(new() { ["Centrum:Storage:Provider"] = "PostgreSql" }).Dispose());

        Assert.Contains("Centrum:Storage:PostgreSqlConnectionString: required when Centrum:Storage:Provider is PostgreSql", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "centrum.db")));
    }

    [Fact]
    public void An_unknown_provider_stops_the_start_naming_the_setting()
    {
        var refused = Assert.ThrowsAny<InvalidOperationException>(() =>
        {
            using var services = Services(new() { ["Centrum:Storage:Provider"] = "Oracle" });
            return services.GetRequiredService<IOptions<StorageOptions>>().Value;
        });

        Assert.Contains("Centrum:Storage:Provider", refused.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Services(Dictionary<string, string?> settings)
    {
        settings["Centrum:Storage:DataFolder"] = _folder;
        var services = new ServiceCollection();
        services.AddLogging();
        CentrumHost.AddCentrumCore(services, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
