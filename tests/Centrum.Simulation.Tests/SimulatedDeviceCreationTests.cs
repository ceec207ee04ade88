using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Hosting;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Simulation.Tests;

/// <summary>
/// Creating N simulated devices for a template (the call the web application makes): its own rules (count, budget,
/// free ids named after the template) and the registry's (template, reach), on the devices and templates areas over a
/// real SQLite store. No device is connected here: the gateway stand-in holds no connection.
/// </summary>
public sealed class SimulatedDeviceCreationTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string OtherApp = "app-2";
    private const string Model = "dtmi:com:example:Thermostat;1";
    private const int Budget = 6;

    private readonly OrganizationTree _organizations = new();
    private SqliteAreaHost _host = null!;

    private SimulatedDevices Simulated => _host.Services.GetRequiredService<SimulatedDevices>();

    private DeviceRegistry Registry => _host.Services.GetRequiredService<DeviceRegistry>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("simulation", (services, configuration) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddSectionOptions<SimulationOptions>(configuration, SimulationOptions.Section);
            services.AddSingleton<SimulatedDevices>();
            services.AddSingleton<IOrganizationCatalog>(_organizations);
            services.AddSingleton<IDeviceConnections, NoConnections>();
        }, new Dictionary<string, string?> { ["Centrum:Simulation:MaxDevicesPerApplication"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using (var db = await _host.Contexts.CreateDbContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
            db.Applications.Add(new ApplicationEntity { Id = OtherApp, DisplayName = "Other", HubHostName = "app-2.localhost", IdScope = "0ne00000002" });
            await db.SaveChangesAsync();
        }

        _organizations.Add(App, "east");
        _organizations.Add(App, "west");
        foreach (var application in new[] { App, OtherApp })
        {
            var model = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "thermostat-1.json")))!;
            var saved = await _host.Services.GetRequiredService<DeviceTemplateService>().SaveAsync(application, Model, ["ModelDefinition", "DeviceModel"], "Thermostat", null, model, null, CancellationToken.None);
            Assert.True(saved.Succeeded, saved.Problem?.Message);
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Devices_are_created_simulated_enabled_and_on_the_template_with_ids_named_after_it_skipping_taken_ones()
    {
        var taken = await Registry.CreateOrReplaceAsync(App, "thermostat-sim-2", new DeviceWrite("mine", null, true, false, []), null, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(taken.Succeeded);

        var created = await Simulated.CreateAsync(App, Model, 3, [], OrganizationReach.WholeApplication, CancellationToken.None);

        Assert.True(created.Succeeded, created.Problem?.Message);
        Assert.Equal(["thermostat-sim-1", "thermostat-sim-3", "thermostat-sim-4"], created.Value!.Select(d => d.Id));
        Assert.All(created.Value!, d => Assert.True(d is { Simulated: true, Enabled: true, Approved: true, Template: Model }));
        // The device that held an id is untouched.
        var kept = await Registry.GetAsync(App, "thermostat-sim-2", CancellationToken.None);
        Assert.True(kept is { Simulated: false, DisplayName: "mine", Template: null });
        Assert.Equal(3, await Simulated.CountAsync(App, CancellationToken.None));
    }

    [Fact]
    public async Task The_application_budget_refuses_a_creation_that_would_exceed_it_and_creates_none_of_it()
    {
        Assert.True((await Simulated.CreateAsync(App, Model, 4, [], OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        // Another application's simulated devices count against its own budget only.
        Assert.True((await Simulated.CreateAsync(OtherApp, Model, Budget, [], OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);

        var over = await Simulated.CreateAsync(App, Model, 3, [], OrganizationReach.WholeApplication, CancellationToken.None);

        Assert.False(over.Succeeded);
        Assert.Equal(ProblemKind.LimitReached, over.Problem!.Kind);
        Assert.Contains("MaxDevicesPerApplication", over.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(4, await Simulated.CountAsync(App, CancellationToken.None));
        Assert.True((await Simulated.CreateAsync(App, Model, 2, [], OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        Assert.Equal(Budget, await Simulated.CountAsync(App, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, Model, "count")]
    [InlineData(SimulatedDevices.MaxPerCall + 1, Model, "count")]
    [InlineData(1, "dtmi:com:example:Missing;1", "does not exist")]
    public async Task A_count_out_of_bounds_or_an_unknown_template_is_refused(int count, string template, string message)
    {
        var refused = await Simulated.CreateAsync(App, template, count, [], OrganizationReach.WholeApplication, CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.Equal(ProblemKind.Invalid, refused.Problem!.Kind);
        Assert.Contains(message, refused.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Simulated.CountAsync(App, CancellationToken.None));
    }

    [Fact]
    public async Task A_caller_limited_to_organizations_creates_devices_only_within_its_reach()
    {
        var east = OrganizationReach.Within(["east"]);

        var outside = await Simulated.CreateAsync(App, Model, 1, ["west"], east, CancellationToken.None);
        var unplaced = await Simulated.CreateAsync(App, Model, 1, [], east, CancellationToken.None);
        var inside = await Simulated.CreateAsync(App, Model, 2, ["east"], east, CancellationToken.None);

        Assert.Equal(ProblemKind.Forbidden, outside.Problem!.Kind);
        Assert.Equal(ProblemKind.Forbidden, unplaced.Problem!.Kind);
        Assert.True(inside.Succeeded, inside.Problem?.Message);
        Assert.All(inside.Value!, d => Assert.Equal(["east"], d.Organizations));
        Assert.Equal(2, await Simulated.CountAsync(App, CancellationToken.None));
    }

    [Fact]
    public async Task Two_creators_at_once_get_distinct_devices_and_neither_replaces_the_others()
    {
        // Both look for free ids from the same number: whichever creates an id second finds it taken and moves on,
        // where a create-or-replace would have overwritten the first creator's device.
        var both = await Task.WhenAll(
            Task.Run(() => Simulated.CreateAsync(App, Model, 3, [], OrganizationReach.WholeApplication, CancellationToken.None)),
            Task.Run(() => Simulated.CreateAsync(App, Model, 3, [], OrganizationReach.WholeApplication, CancellationToken.None)));

        Assert.All(both, created => Assert.True(created.Succeeded, created.Problem?.Message));
        var devices = both.SelectMany(created => created.Value!).ToList();
        Assert.Equal(6, devices.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var device in devices)
        {
            var stored = await Registry.GetAsync(App, device.Id, CancellationToken.None);
            Assert.Equal(device.ETag, stored!.ETag);
        }
    }

    private sealed class NoConnections : IDeviceConnections
    {
        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
    }
}
