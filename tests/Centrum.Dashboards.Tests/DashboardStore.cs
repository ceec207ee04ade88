using Centrum.Organizations;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Centrum.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Dashboards.Tests;

/// <summary>
/// The dashboards area on a real SQLite metadata store in its own temp folder, without a server. Organizations (owned
/// by identity) are a small tree the test describes.
/// </summary>
internal sealed class DashboardStore : IAsyncDisposable
{
    public const string App = "app-1";
    public const string OtherApp = "app-2";

    private SqliteAreaHost _host = null!;

    public OrganizationTree Organizations { get; } = new();

    public DashboardService Dashboards => _host.Services.GetRequiredService<DashboardService>();

    public SavedQueryService SavedQueries => _host.Services.GetRequiredService<SavedQueryService>();

    public HomeDashboardService Home => _host.Services.GetRequiredService<HomeDashboardService>();

    public IEnumerable<IAreaData> Areas => _host.Services.GetServices<IAreaData>();

    public static async Task<DashboardStore> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var store = new DashboardStore();
        store._host = await SqliteAreaHost.StartAsync("dashboards", (services, configuration) =>
        {
            services.AddMetadataArea(typeof(DashboardService).Assembly);
            services.AddCentrumDashboards(configuration);
            services.AddSingleton<IOrganizationCatalog>(store.Organizations);
        }, settings);
        await using var db = await store.ContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.Applications.Add(new ApplicationEntity { Id = OtherApp, DisplayName = "Other", HubHostName = "app-2.localhost", IdScope = "0ne00000002" });
        await db.SaveChangesAsync();
        return store;
    }

    public Task<CentrumDbContext> ContextAsync() => _host.Contexts.CreateDbContextAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
