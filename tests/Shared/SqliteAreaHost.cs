using Centrum.Events;
using Centrum.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Testing;

/// <summary>
/// Areas composed as the server composes them, without a server: the services they register over a real SQLite
/// metadata store in a folder of its own, migrated before the first test. Each test project's store names its areas and
/// the stand-ins for the areas it does not compose; the store is deleted with its folder.
/// </summary>
internal sealed class SqliteAreaHost : IAsyncDisposable
{
    private readonly string _folder;

    private SqliteAreaHost(string folder, ServiceProvider services)
    {
        _folder = folder;
        Services = services;
    }

    public ServiceProvider Services { get; }

    public IDbContextFactory<CentrumDbContext> Contexts => Services.GetRequiredService<IDbContextFactory<CentrumDbContext>>();

    /// <param name="name">Names the folder, so a store left by a killed run says which tests made it.</param>
    /// <param name="compose">Registers the areas under test and their stand-ins, after logging, the system clock, the device-event bus and storage.</param>
    /// <param name="settings">Configuration beside the data folder.</param>
    public static async Task<SqliteAreaHost> StartAsync(string name, Action<IServiceCollection, IConfiguration> compose, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", name + "-" + Guid.NewGuid().ToString("N"));
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Centrum:Storage:DataFolder"] = folder };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IDeviceEvents, DeviceEventBus>();
        services.AddCentrumStorage(configuration);
        compose(services, configuration);
        var host = new SqliteAreaHost(folder, services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
        await host.Services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
