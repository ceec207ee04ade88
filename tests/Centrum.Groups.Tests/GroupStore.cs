using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Centrum.Templates;
using Centrum.Testing;
using Centrum.Twins;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Groups.Tests;

/// <summary>
/// The groups area composed with the real devices, templates and twins areas on a real SQLite metadata store in its
/// own temp folder, without a server. Organizations (owned by identity) are a small tree the test describes.
/// </summary>
internal sealed class GroupStore : IAsyncDisposable
{
    public const string App = "app-1";
    public const string OtherApp = "app-2";

    private SqliteAreaHost _host = null!;

    public OrganizationTree Organizations { get; } = new();

    public DeviceGroupService Groups => _host.Services.GetRequiredService<DeviceGroupService>();

    public DeviceRegistry Devices => _host.Services.GetRequiredService<DeviceRegistry>();

    public TwinService Twins => _host.Services.GetRequiredService<TwinService>();

    public IEnumerable<IAreaData> Areas => _host.Services.GetServices<IAreaData>();

    public static async Task<GroupStore> StartAsync()
    {
        var store = new GroupStore();
        store._host = await SqliteAreaHost.StartAsync("groups", (services, _) =>
        {
            services.AddMetadataArea(typeof(DeviceGroupService).Assembly);
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
            services.AddCentrumGroups();
            services.AddSingleton<IOrganizationCatalog>(store.Organizations);
            services.AddSingleton<IDeviceConnections, NoConnections>();
        });
        await using var db = await store.ContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.Applications.Add(new ApplicationEntity { Id = OtherApp, DisplayName = "Other", HubHostName = "app-2.localhost", IdScope = "0ne00000002" });
        await db.SaveChangesAsync();
        return store;
    }

    public Task<CentrumDbContext> ContextAsync() => _host.Contexts.CreateDbContextAsync();

    /// <summary>Devices written straight into the devices area's table (as provisioning would leave them), many at once.</summary>
    public async Task AddDevicesAsync(IEnumerable<DeviceEntity> devices)
    {
        await using var db = await ContextAsync();
        db.Devices.AddRange(devices);
        await db.SaveChangesAsync();
    }

    public static DeviceEntity Device(string id, string? template = null, bool provisioned = false, bool simulated = false, string organizations = "[]", string application = App) => new()
    {
        ApplicationId = application, Id = id, DisplayName = id, TemplateId = template, Provisioned = provisioned, Simulated = simulated,
        Organizations = organizations, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e",
    };

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

internal sealed class NoConnections : IDeviceConnections
{
    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

    public bool IsConnected(string applicationId, string deviceId) => false;

    public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
}
