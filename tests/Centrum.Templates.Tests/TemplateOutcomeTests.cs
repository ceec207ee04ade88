using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Templates.Tests;

/// <summary>
/// Saving and deleting a template answer with an outcome whoever calls them; a refusal stores nothing. On a real SQLite
/// metadata store; whether devices use a template is the devices area's answer.
/// </summary>
public sealed class TemplateOutcomeTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string Pump = "dtmi:com:example:Pump;1";
    private SqliteAreaHost _host = null!;

    private DeviceTemplateService Templates => _host.Services.GetRequiredService<DeviceTemplateService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("templates", (services, _) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
        });
        await using var db = await Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IDbContextFactory<CentrumDbContext> Contexts => _host.Contexts;

    private static JsonNode PumpModel(string contents) =>
        JsonNode.Parse($$"""{"@id":"{{Pump}}","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[{{contents}}]}""")!;

    private Task<Outcome<DeviceTemplate>> SaveAsync(JsonNode model, string? ifMatch = null, string id = Pump) =>
        Templates.SaveAsync(App, id, ["ModelDefinition", "DeviceModel"], "Pump", null, model, ifMatch, CancellationToken.None);

    private async Task AssignDeviceAsync(string deviceId)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        db.Devices.Add(new DeviceEntity { ApplicationId = App, Id = deviceId, TemplateId = Pump, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task An_invalid_model_is_refused_with_each_error_and_its_path_and_nothing_is_stored()
    {
        var saved = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","shema":"double"}"""));

        Assert.Equal(ProblemKind.Invalid, saved.Problem?.Kind);
        Assert.Equal("InvalidModel", saved.Problem?.Code);
        Assert.Contains(saved.Problem!.Details, d => d.Path == "capabilityModel.contents[0].shema");
        Assert.StartsWith("The capability model is not valid DTDL: capabilityModel.", saved.Problem.Message, StringComparison.Ordinal);
        Assert.Null(await Templates.GetAsync(App, Pump, CancellationToken.None));
    }

    [Fact]
    public async Task A_template_id_that_is_not_a_DTMI_is_invalid()
    {
        var saved = await SaveAsync(PumpModel(""), id: "pump");

        Assert.Equal(ProblemKind.Invalid, saved.Problem?.Kind);
        Assert.Contains("must be a DTMI", saved.Problem?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_with_a_stale_etag_fails_its_precondition_and_keeps_the_template()
    {
        var first = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","schema":"double"}"""));
        Assert.True(first.Succeeded, first.Problem?.Message);

        var stale = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"pressure","schema":"double"}"""), ifMatch: "not-the-etag");
        var current = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","schema":"double"},{"@type":"Telemetry","name":"pressure","schema":"double"}"""), ifMatch: first.Value.ETag);

        Assert.Equal(ProblemKind.PreconditionFailed, stale.Problem?.Kind);
        Assert.True(current.Succeeded, current.Problem?.Message);
        Assert.NotEqual(first.Value.ETag, current.Value.ETag);
    }

    [Fact]
    public async Task A_template_devices_use_may_grow_but_not_change_and_cannot_be_deleted()
    {
        Assert.True((await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","schema":"double"}"""))).Succeeded);
        await AssignDeviceAsync("pump-1");

        var changed = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","schema":"string"}"""));
        var grown = await SaveAsync(PumpModel("""{"@type":"Telemetry","name":"flow","schema":"double"},{"@type":"Telemetry","name":"pressure","schema":"double"}"""));
        var deleted = await Templates.DeleteAsync(App, Pump, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, changed.Problem?.Kind);
        Assert.Equal("IncompatibleTemplateChange", changed.Problem?.Code);
        Assert.Contains("'flow' would change", changed.Problem?.Message, StringComparison.Ordinal);
        Assert.True(grown.Succeeded, grown.Problem?.Message);
        Assert.Equal(ProblemKind.Conflict, deleted.Problem?.Kind);
        Assert.Equal("TemplateInUse", deleted.Problem?.Code);
        Assert.NotNull(await Templates.GetAsync(App, Pump, CancellationToken.None));
    }

    [Fact]
    public async Task A_template_no_device_uses_is_deleted_once_and_then_not_found()
    {
        Assert.True((await SaveAsync(PumpModel(""))).Succeeded);

        var deleted = await Templates.DeleteAsync(App, Pump, CancellationToken.None);
        var again = await Templates.DeleteAsync(App, Pump, CancellationToken.None);

        Assert.Equal(Pump, deleted.Value);
        Assert.Equal(ProblemKind.NotFound, again.Problem?.Kind);
        Assert.Null(await Templates.GetAsync(App, Pump, CancellationToken.None));
    }
}
