using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Centrum.Telemetry;
using Centrum.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Export.Tests.Definitions;

/// <summary>
/// The rules of export and destination definitions are the export area's, whoever writes them: checked here without a
/// server, on a real SQLite metadata store. A refused write stores nothing.
/// </summary>
public sealed class ExportDefinitionRulesTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string Thermostat = "dtmi:contoso:Thermostat;1";
    private const string Hook = """{"displayName":"Hook","type":"webhook@v1","url":"https://example.com/hook"}""";
    private SqliteAreaHost _host = null!;

    private DataExportService Exports => _host.Services.GetRequiredService<DataExportService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("export-definitions", (services, configuration) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTelemetry(configuration);
            services.AddCentrumExport(configuration);
        }, new Dictionary<string, string?>
        {
            ["Centrum:Export:MaxExports"] = "2",
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.DeviceTemplates.Add(new DeviceTemplateEntity { ApplicationId = App, Id = Thermostat, ModelId = Thermostat, Types = "[]", CapabilityModel = "{}", Interfaces = "[]", ETag = "e" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "bad id!", Export("hook"), "Export ids have" },
        { "all", """{"displayName":"All","enabled":true,"source":"telemetry"}""", "destinations" },
        { "all", Export("nowhere"), "the destination 'nowhere' does not exist" },
        { "all", Export("hook", filter: "SELECT * FROM dtmi:contoso:Missing;1"), "the device template 'dtmi:contoso:Missing;1' does not exist" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task An_export_that_breaks_a_rule_is_refused_and_not_stored(string id, string body, string message)
    {
        Assert.True((await SaveHookAsync("hook")).Succeeded);
        var refused = await Exports.SaveExportAsync(App, id, JsonNode.Parse(body), null, CancellationToken.None);
        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.Contains(message, refused.Problem!.Message, StringComparison.Ordinal);
        Assert.Empty(await Exports.ExportsOfApplicationAsync(App, CancellationToken.None));
    }

    [Fact]
    public async Task A_filter_on_a_template_the_templates_area_knows_is_accepted()
    {
        Assert.True((await SaveHookAsync("hook")).Succeeded);
        var saved = await Exports.SaveExportAsync(App, "thermostats", JsonNode.Parse(Export("hook", filter: $"SELECT * FROM {Thermostat}")), null, CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Problem?.Message);
    }

    [Fact]
    public async Task Exports_are_limited_per_application_and_held_to_their_etag()
    {
        Assert.True((await SaveHookAsync("hook")).Succeeded);
        var first = await Exports.SaveExportAsync(App, "one", JsonNode.Parse(Export("hook")), null, CancellationToken.None);
        Assert.True(first.Succeeded);
        Assert.True((await Exports.SaveExportAsync(App, "two", JsonNode.Parse(Export("hook")), null, CancellationToken.None)).Succeeded);

        var third = await Exports.SaveExportAsync(App, "three", JsonNode.Parse(Export("hook")), null, CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, third.Problem?.Kind);

        Assert.Equal(ProblemKind.PreconditionFailed, (await Exports.SaveExportAsync(App, "one", JsonNode.Parse(Export("hook")), "stale", CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await Exports.SaveExportAsync(App, "new", JsonNode.Parse(Export("hook")), "stale", CancellationToken.None)).Problem?.Kind);
        Assert.True((await Exports.SaveExportAsync(App, "one", JsonNode.Parse(Export("hook")), first.Value.ETag, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_destination_in_use_is_not_deleted_and_its_type_never_changes()
    {
        var hook = await SaveHookAsync("hook");
        Assert.True(hook.Succeeded);
        Assert.True((await Exports.SaveExportAsync(App, "all", JsonNode.Parse(Export("hook")), null, CancellationToken.None)).Succeeded);

        var retyped = await Exports.SaveDestinationAsync(App, "hook", JsonNode.Parse("""{"displayName":"N","type":"nats@v1","url":"nats://localhost:4222"}"""), null, CancellationToken.None);
        Assert.Equal(ProblemKind.Invalid, retyped.Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await Exports.SaveDestinationAsync(App, "hook", JsonNode.Parse(Hook), "stale", CancellationToken.None)).Problem?.Kind);

        var inUse = await Exports.DeleteDestinationAsync(App, "hook", CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, inUse.Problem?.Kind);
        Assert.Contains("all", inUse.Problem!.Message, StringComparison.Ordinal);

        Assert.Equal("all", (await Exports.DeleteExportAsync(App, "all", CancellationToken.None)).Value?.Id);
        Assert.Equal(ProblemKind.NotFound, (await Exports.DeleteExportAsync(App, "all", CancellationToken.None)).Problem?.Kind);
        Assert.Equal("hook", (await Exports.DeleteDestinationAsync(App, "hook", CancellationToken.None)).Value?.Id);
        Assert.Equal(ProblemKind.NotFound, (await Exports.DeleteDestinationAsync(App, "hook", CancellationToken.None)).Problem?.Kind);
    }

    private Task<Outcome<DestinationDefinition>> SaveHookAsync(string id) =>
        Exports.SaveDestinationAsync(App, id, JsonNode.Parse(Hook), null, CancellationToken.None);

    private static string Export(string destination, string? filter = null) => new JsonObject
    {
        ["displayName"] = "Export",
        ["enabled"] = true,
        ["source"] = "telemetry",
        ["filter"] = filter,
        ["destinations"] = new JsonArray(new JsonObject { ["id"] = destination }),
    }.ToJsonString();
}
