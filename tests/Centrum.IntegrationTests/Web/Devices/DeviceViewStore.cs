using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Devices;
using Centrum.Identity;
using Centrum.Identity.Authorization;
using Centrum.Identity.Organizations;
using Centrum.Storage.Ownership;
using Centrum.Storage.Entities;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Twins;
using Centrum.Web.Devices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Centrum.IntegrationTests.Web.Devices;

/// <summary>
/// The areas a device page reads composed as the server composes them (identity for roles and organizations, devices,
/// templates, twins, commands, telemetry) on a real SQLite store and a real DuckDB store in a folder of their own, with
/// one application, two organizations (north, south) and a device in each. The gateway's side of the devices is
/// <see cref="ScriptedConnections"/>; the end-to-end browser tests run the real path with Node SDK devices.
/// </summary>
internal sealed class DeviceViewStore : IAsyncDisposable
{
    public const string App = "app-1";
    public const string North = "pump-north";
    public const string South = "pump-south";
    public const string Thermostat = "dtmi:centrum:test:thermostat;1";

    private SqliteAreaHost _host = null!;

    public ScriptedConnections Connections { get; } = new();

    public DeviceViewService Views => _host.Services.GetRequiredService<DeviceViewService>();

    public TwinService Twins => _host.Services.GetRequiredService<TwinService>();

    public TelemetryIngest Ingest => _host.Services.GetRequiredService<TelemetryIngest>();

    public static async Task<DeviceViewStore> StartAsync()
    {
        var store = new DeviceViewStore();
        store._host = await SqliteAreaHost.StartAsync("web", (services, configuration) =>
        {
            services.AddCentrumIdentity(configuration);
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
            services.AddMetadataArea(typeof(CommandService).Assembly);
            services.AddCentrumCommands(configuration);
            services.AddCentrumTelemetry(configuration);
            services.AddSingleton<IDeviceConnections>(store.Connections);
            services.AddSingleton<IDirectMethodInvoker>(store.Connections);
            services.AddSingleton(sp => new DeviceViewService(
                sp.GetRequiredService<DeviceRegistry>(), sp.GetRequiredService<DeviceModels>(), sp.GetRequiredService<PropertyService>(),
                sp.GetRequiredService<CommandService>(), sp.GetRequiredService<TelemetryQueries>(), sp.GetRequiredService<AccessScope>(),
                sp.GetRequiredService<Centrum.Events.IDeviceEvents>(),
                sp.GetRequiredService<DeviceConnectionDetails>(), sp.GetRequiredService<Centrum.Applications.IApplicationCatalog>(), TimeProvider.System, NullLogger<DeviceViewService>.Instance));
        });

        await using (var db = await store._host.Contexts.CreateDbContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
            await db.SaveChangesAsync();
        }

        var organizations = store._host.Services.GetRequiredService<OrganizationService>();
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.True((await organizations.SaveAsync(App, organization, organization, null, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        }

        var thermostat = $$$"""
            {"@id":"{{{Thermostat}}}","@type":"Interface","@context":["dtmi:dtdl:context;2","dtmi:iotcentral:context;2"],"contents":[
              {"@type":"Telemetry","name":"temperature","schema":"double"},
              {"@type":"Property","name":"targetTemperature","schema":"double","writable":true},
              {"@type":"Property","name":"serialNumber","schema":"string"},
              {"@type":["Property","Cloud"],"name":"site","schema":"string"},
              {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"},"response":{"name":"result","schema":"string"}}]}
            """;
        var templates = store._host.Services.GetRequiredService<DeviceTemplateService>();
        Assert.True((await templates.SaveAsync(App, Thermostat, ["ModelDefinition", "DeviceModel"], "Thermostat", null, JsonNode.Parse(thermostat)!, null, CancellationToken.None)).Succeeded);

        await using (var db = await store._host.Contexts.CreateDbContextAsync())
        {
            foreach (var (id, organization) in new[] { (North, "north"), (South, "south") })
            {
                db.Devices.Add(new DeviceEntity
                {
                    ApplicationId = App, Id = id, DisplayName = id, TemplateId = Thermostat, Provisioned = true, Organizations = $"[\"{organization}\"]",
                    PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e",
                });
                db.Twins.Add(new TwinEntity { ApplicationId = App, DeviceId = id });
            }

            await db.SaveChangesAsync();
        }

        return store;
    }

    /// <summary>A signed-in member of the application with one role, application-wide or within one organization.</summary>
    public static ClaimsPrincipal Caller(string roleId, string? organization = null) => new(new ClaimsIdentity(
        [new Claim(CentrumClaims.Application, App), new Claim(CentrumClaims.Role, CentrumClaims.RoleValue(roleId, organization))], "test"));

    public async ValueTask DisposeAsync()
    {
        await Ingest.DisposeAsync();
        await _host.DisposeAsync();
    }

    /// <summary>The gateway's side of the test's devices: which are connected, and what a device answers a command with.</summary>
    internal sealed class ScriptedConnections : IDirectMethodInvoker, IDeviceConnections
    {
        private readonly ConcurrentDictionary<string, bool> _connected = new(StringComparer.Ordinal);

        public ConcurrentQueue<(string Device, string Method, JsonNode? Payload)> Calls { get; } = new();

        public void Connect(string deviceId) => _connected[deviceId] = true;

        public bool IsConnected(string applicationId, string deviceId) => _connected.ContainsKey(deviceId);

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [.. _connected.Keys];

        public Task<DirectMethodResult> InvokeAsync(
            string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
            TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken)
        {
            if (!IsConnected(applicationId, deviceId))
            {
                return Task.FromResult(new DirectMethodResult(DirectMethodStatus.NotConnected));
            }

            Calls.Enqueue((deviceId, methodName, payload?.DeepClone()));
            return Task.FromResult(new DirectMethodResult(DirectMethodStatus.Answered, 200, JsonValue.Create("rebooting")));
        }

        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;
    }
}
