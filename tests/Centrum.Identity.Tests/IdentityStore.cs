using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Identity.Tests;

/// <summary>
/// The identity area as the server composes it (with the devices area, which answers whether devices sit in an
/// organization), on a real SQLite metadata store in a folder of its own, with one application, <see cref="App"/>.
/// </summary>
internal sealed class IdentityStore : IAsyncDisposable
{
    public const string App = "app-1";

    private readonly SqliteAreaHost _host;

    private IdentityStore(SqliteAreaHost host) => _host = host;

    public ServiceProvider Services => _host.Services;

    public static async Task<IdentityStore> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var store = new IdentityStore(await SqliteAreaHost.StartAsync("identity", (services, configuration) => services
            .AddCentrumIdentity(configuration)
            .AddCentrumDevices(), settings));
        await using var db = await store.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        await db.SaveChangesAsync();
        return store;
    }

    public IDbContextFactory<CentrumDbContext> Contexts => _host.Contexts;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A caller that holds <paramref name="permissions"/> only within <paramref name="organizations"/> (application-wide when null).</summary>
    public static CallerHoldings Holding(IReadOnlySet<string>? organizations, params Permission[] permissions) =>
        new(permissions.ToDictionary(p => p, _ => organizations));

    /// <summary>
    /// A caller holding what the built-in role grants and <paramref name="extra"/>, within <paramref name="organizations"/>
    /// (application-wide when null).
    /// </summary>
    public static CallerHoldings HoldingRole(string roleId, IReadOnlySet<string>? organizations, params Permission[] extra) =>
        Holding(organizations, Enum.GetValues<Permission>().Where(p => BuiltInRoles.RoleGrants(roleId, p) || extra.Contains(p)).ToArray());

    public async Task AddDeviceAsync(string deviceId, params string[] organizations)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        db.Devices.Add(new DeviceEntity
        {
            ApplicationId = App,
            Id = deviceId,
            Organizations = System.Text.Json.JsonSerializer.Serialize(organizations),
            PrimaryKeyProtected = "-",
            SecondaryKeyProtected = "-",
            ETag = "e",
        });
        await db.SaveChangesAsync();
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
