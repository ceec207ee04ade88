using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Twins.Tests;

/// <summary>
/// A device's first twin update racing its deletion (a device reports its properties as it connects while an operator
/// deletes it): the device is found, then deleted before the twin row is committed. The update is answered as for a
/// deleted device instead of failing on the twin's foreign key.
/// </summary>
public sealed class DeletedDeviceRaceTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string Device = "racer-1";
    private SqliteAreaHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("twins-race", (services, _) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
            services.AddSingleton<IDeviceDirectory, DeletedAfterLookup>();
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Device, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_first_reported_update_of_a_device_deleted_meanwhile_is_not_found_and_leaves_no_twin()
    {
        var twins = _host.Services.GetRequiredService<TwinService>();

        var reported = await twins.PatchReportedAsync(App, Device, null, JsonNode.Parse("""{"serialNumber":"A1"}""")!.AsObject(), null, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, reported.Problem?.Kind);
        Assert.Equal($"Device '{Device}' was not found.", reported.Problem?.Message);
        Assert.Null(await twins.GetAsync(App, Device, null, CancellationToken.None));
    }

    /// <summary>Answers whether the device exists, then deletes it at its first lookup, as a concurrent deletion would.</summary>
    private sealed class DeletedAfterLookup(IDbContextFactory<CentrumDbContext> contexts) : IDeviceDirectory
    {
        private int _lookups;

        public ValueTask<bool> ModuleExistsAsync(string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public async ValueTask<bool> ExistsAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var exists = await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Id == deviceId, cancellationToken);
            if (Interlocked.Increment(ref _lookups) == 1)
            {
                await db.Devices.Where(d => d.ApplicationId == applicationId && d.Id == deviceId).ExecuteDeleteAsync(cancellationToken);
            }

            return exists;
        }

        public ValueTask<string?> TemplateOfAsync(string applicationId, string deviceId, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask<bool> AnyUsingTemplateAsync(string applicationId, string templateId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask<bool> AnyInOrganizationAsync(string applicationId, string organizationId, CancellationToken cancellationToken) => ValueTask.FromResult(false);
    }
}
