using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Twins.Tests;

/// <summary>
/// The twins area composed as the server composes it, on a real SQLite metadata store in its own folder: one
/// application, a thermostat device assigned to <see cref="Model"/>, and a device with no template.
/// </summary>
public sealed class TwinStore : IAsyncLifetime
{
    public const string App = "app-1";
    public const string Model = "dtmi:com:example:Thermostat;1";
    public const string Thermostat = "thermostat-1";
    public const string Loose = "loose-1";

    private SqliteAreaHost _host = null!;

    public TwinService Twins => _host.Services.GetRequiredService<TwinService>();

    public PropertyService Properties => _host.Services.GetRequiredService<PropertyService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("twins", (services, _) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
        });
        var contexts = _host.Contexts;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
            await db.SaveChangesAsync();
        }

        var template = await _host.Services.GetRequiredService<DeviceTemplateService>().SaveAsync(App, Model, ["ModelDefinition", "DeviceModel"], "Thermostat", null,
            JsonNode.Parse($$$"""
                {"@id":"{{{Model}}}","@type":"Interface","@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
                  {"@type":"Property","name":"target","schema":"double","writable":true},
                  {"@type":"Property","name":"serialNumber","schema":"string"},
                  {"@type":["Property","Cloud"],"name":"site","schema":"string"},
                  {"@type":"Component","name":"fan","schema":{"@id":"dtmi:com:example:Fan;1","@type":"Interface","contents":[
                    {"@type":"Property","name":"speed","schema":"integer","writable":true}]}}]}
                """)!, null, CancellationToken.None);
        Assert.True(template.Succeeded, template.Problem?.Message);

        await using var devices = await contexts.CreateDbContextAsync();
        devices.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Thermostat, TemplateId = Model, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        devices.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Loose, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        await devices.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
