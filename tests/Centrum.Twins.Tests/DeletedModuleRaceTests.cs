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
/// A module's first twin update racing the module's deletion (a module reports as it connects while its edge device's
/// identity service deletes it): the module is found, then deleted before the twin row is committed. The twins table's
/// foreign key names the device, which is still there, so only the check in the commit keeps the row from being left
/// behind as an orphan. The interleaving is made by the lookup itself, which deletes the module once it has answered.
/// </summary>
public sealed class DeletedModuleRaceTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string Device = "edge-1";
    private const string Module = "filter";
    private SqliteAreaHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("twins-module-race", (services, _) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
            services.AddSingleton<IDeviceDirectory, ModuleDeletedAfterLookup>();
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Device, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e", IotEdge = true });
        db.Modules.Add(new ModuleEntity { ApplicationId = App, DeviceId = Device, Id = Module, GenerationId = "g", ETag = "m", PrimaryKeyProtected = "-", SecondaryKeyProtected = "-" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_first_reported_update_of_a_module_deleted_meanwhile_is_not_found_and_leaves_no_twin_row()
    {
        var twins = _host.Services.GetRequiredService<TwinService>();

        var reported = await twins.PatchReportedAsync(App, Device, Module, JsonNode.Parse("""{"threshold":5}""")!.AsObject(), null, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, reported.Problem?.Kind);
        Assert.Equal($"Module '{Module}' of device '{Device}' was not found.", reported.Problem?.Message);
        await using var db = await _host.Contexts.CreateDbContextAsync();
        Assert.False(await db.Twins.AnyAsync(t => t.ApplicationId == App && t.DeviceId == Device && t.ModuleId == Module));
        Assert.True(await db.Devices.AnyAsync(d => d.ApplicationId == App && d.Id == Device));
    }

    /// <summary>Answers whether the module exists, then deletes it at its first lookup, as a concurrent deletion would.</summary>
    private sealed class ModuleDeletedAfterLookup(IDbContextFactory<CentrumDbContext> contexts) : IDeviceDirectory
    {
        private int _lookups;

        public async ValueTask<bool> ModuleExistsAsync(string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var modules = db.Modules.Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId && m.Id == moduleId);
            var exists = await modules.AnyAsync(cancellationToken);
            if (Interlocked.Increment(ref _lookups) == 1)
            {
                await modules.ExecuteDeleteAsync(cancellationToken);
            }

            return exists;
        }

        public async ValueTask<bool> ExistsAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Id == deviceId, cancellationToken);
        }

        public ValueTask<string?> TemplateOfAsync(string applicationId, string deviceId, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask<bool> AnyUsingTemplateAsync(string applicationId, string templateId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask<bool> AnyInOrganizationAsync(string applicationId, string organizationId, CancellationToken cancellationToken) => ValueTask.FromResult(false);
    }
}
