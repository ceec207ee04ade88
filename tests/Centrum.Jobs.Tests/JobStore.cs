using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Audit;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Jobs.Execution;
using Centrum.Organizations;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Tests;

/// <summary>
/// The jobs area composed with the real devices, templates, twins, groups and commands areas on a real SQLite metadata
/// store in its own temp folder, without a server. Organizations (owned by identity) are a small tree the test
/// describes; the gateway's side of devices (their connections and direct methods) is <see cref="ScriptedDevices"/>.
/// The job runner is composed but runs only when a test starts it.
/// </summary>
internal sealed class JobStore : IAsyncDisposable
{
    public const string App = "app-1";

    /// <summary>A template with a writable property, a cloud property, a read-only property and a command, at the root and in a component.</summary>
    public const string Thermostat = "dtmi:centrum:test:thermostat;1";

    public const string Sensor = "dtmi:centrum:test:sensor;1";

    private SqliteAreaHost _host = null!;

    private bool _runnerStarted;

    public OrganizationTree Organizations { get; } = new();

    public ScriptedDevices Connections { get; } = new();

    public RecordedLog Log { get; } = new();

    public JobRunner Runner => _host.Services.GetRequiredService<JobRunner>();

    public PropertyService Properties => _host.Services.GetRequiredService<PropertyService>();

    /// <summary>What the area recorded in the audit log (owned by identity, which these tests do not compose).</summary>
    public AuditRecorder Audit { get; } = new();

    public IServiceProvider Services => _host.Services;

    public JobService Jobs => _host.Services.GetRequiredService<JobService>();

    public DeviceGroupService Groups => _host.Services.GetRequiredService<DeviceGroupService>();

    public DeviceRegistry Devices => _host.Services.GetRequiredService<DeviceRegistry>();

    public TwinService Twins => _host.Services.GetRequiredService<TwinService>();

    /// <param name="settings">Configuration beside the data folder (<c>Centrum:Jobs:…</c>).</param>
    /// <param name="compose">Further registrations after the areas', for a test that replaces one.</param>
    public static async Task<JobStore> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? compose = null)
    {
        var store = new JobStore();
        store._host = await SqliteAreaHost.StartAsync("jobs", (services, configuration) =>
        {
            services.AddMetadataArea(typeof(JobService).Assembly);
            services.AddMetadataArea(typeof(DeviceGroupService).Assembly);
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
            services.AddCentrumGroups();
            services.AddMetadataArea(typeof(CommandService).Assembly);
            services.AddCentrumCommands(configuration);
            services.AddCentrumJobs(configuration);
            services.AddSingleton<IOrganizationCatalog>(store.Organizations);
            services.AddSingleton<IDeviceConnections>(store.Connections);
            services.AddSingleton<IDirectMethodInvoker>(store.Connections);
            services.AddSingleton<IMeterFactory, TestMeterFactory>();
            services.AddSingleton<IAuditTrail>(store.Audit);
            services.AddSingleton<ILoggerProvider>(store.Log);
            compose?.Invoke(services);
        }, settings);
        await using (var db = await store.ContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
            await db.SaveChangesAsync();
        }

        var templates = store.Services.GetRequiredService<DeviceTemplateService>();
        var component = """{"@type":"Component","name":"fan","schema":{"@id":"dtmi:centrum:test:fan;1","@type":"Interface","contents":[{"@type":"Property","name":"speed","schema":"integer","writable":true},{"@type":"Command","name":"spin"}]}}""";
        var thermostat = $$$"""
            {"@id":"{{{Thermostat}}}","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[
              {"@type":"Property","name":"targetTemperature","schema":"double","writable":true},
              {"@type":"Property","name":"serialNumber","schema":"string"},
              {"@type":["Property","Cloud"],"name":"site","schema":"string"},
              {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"}},
              {{{component}}}]}
            """;
        Assert.True((await templates.SaveAsync(App, Thermostat, ["ModelDefinition", "DeviceModel"], "Thermostat", null, JsonNode.Parse(thermostat)!, null, CancellationToken.None)).Succeeded);
        var sensor = $$$"""{"@id":"{{{Sensor}}}","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[{"@type":"Telemetry","name":"temperature","schema":"double"}]}""";
        Assert.True((await templates.SaveAsync(App, Sensor, ["ModelDefinition", "DeviceModel"], "Sensor", null, JsonNode.Parse(sensor)!, null, CancellationToken.None)).Succeeded);
        return store;
    }

    public Task<CentrumDbContext> ContextAsync() => _host.Contexts.CreateDbContextAsync();

    /// <summary>Devices written straight into the devices area's table (as provisioning would leave them), with an empty twin each.</summary>
    public async Task AddDevicesAsync(IEnumerable<string> ids, string? template = Thermostat, string organizations = "[]")
    {
        await using var db = await ContextAsync();
        foreach (var id in ids)
        {
            db.Devices.Add(new DeviceEntity
            {
                ApplicationId = App, Id = id, DisplayName = id, TemplateId = template, Provisioned = true, Organizations = organizations,
                PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e",
            });
            db.Twins.Add(new TwinEntity { ApplicationId = App, DeviceId = id });
        }

        await db.SaveChangesAsync();
    }

    public async Task AddGroupAsync(string id, string filter, params string[] organizations) =>
        Assert.True((await Groups.CreateOrReplaceAsync(App, id, new DeviceGroupWrite(id, filter, null, organizations), null, OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);

    /// <summary>Starts the job runner, as the host would; it is stopped with the store.</summary>
    public async Task StartRunnerAsync()
    {
        _runnerStarted = true;
        await Runner.StartAsync(CancellationToken.None);
    }

    public async Task StopRunnerAsync()
    {
        if (_runnerStarted)
        {
            _runnerStarted = false;
            await Runner.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopRunnerAsync();
        await _host.DisposeAsync();
    }
}

/// <summary>The audit log as the jobs area writes to it: the entries, per application, in order.</summary>
internal sealed class AuditRecorder : IAuditTrail
{
    private readonly ConcurrentQueue<(string Application, AuditTrailEntry Entry)> _entries = new();

    public IReadOnlyList<(string Application, AuditTrailEntry Entry)> Entries => _entries.ToList();

    public Task RecordAsync(string applicationId, AuditTrailEntry entry, CancellationToken cancellationToken)
    {
        _entries.Enqueue((applicationId, entry));
        return Task.CompletedTask;
    }
}
