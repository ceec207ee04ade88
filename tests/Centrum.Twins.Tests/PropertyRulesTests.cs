using System.Text.Json.Nodes;
using Centrum.Outcomes;

namespace Centrum.Twins.Tests;

/// <summary>
/// A property write through the twins area meets the device template's rules whoever calls it (REST, a job, a page):
/// a refused write leaves the twin's desired side untouched. On a real SQLite store, without a server.
/// </summary>
public sealed class PropertyRulesTests : IAsyncLifetime
{
    private readonly TwinStore _store = new();

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync();

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private Task<Outcome<JsonObject>> WriteAsync(string body, string? component = null, bool unmodeled = false, string device = TwinStore.Thermostat) =>
        _store.Properties.WriteAsync(TwinStore.App, device, null, component, Json(body), replace: false, unmodeled, CancellationToken.None);

    public static TheoryData<string?, string, ProblemKind, string> Refusals => new()
    {
        { null, """{"humidity":40}""", ProblemKind.Invalid, "Property 'humidity' is not declared" },
        { null, """{"serialNumber":"A-1"}""", ProblemKind.Invalid, "is not writable" },
        { null, """{"target":"warm"}""", ProblemKind.Invalid, "does not match its schema" },
        { null, """{"fan":{"speed":1.5}}""", ProblemKind.Invalid, "does not match its schema in component 'fan'" },
        { "fan", """{"target":21}""", ProblemKind.Invalid, "Property 'target' is not declared by component 'fan'" },
        { "blower", """{"speed":1}""", ProblemKind.NotFound, "Component 'blower' is not declared" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_write_the_template_refuses_changes_nothing(string? component, string body, ProblemKind kind, string message)
    {
        var written = await WriteAsync(body, component);

        Assert.Equal(kind, written.Problem?.Kind);
        Assert.Contains(message, written.Problem?.Message, StringComparison.Ordinal);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.Equal(1, twin!.DesiredVersion); // a twin starts at version 1, as IoT Hub's do
        Assert.Empty(twin.Desired);
    }

    [Fact]
    public async Task A_declared_write_becomes_desired_and_a_cloud_property_stays_with_the_platform()
    {
        var written = await WriteAsync("""{"target":21.5,"site":"Building 7","fan":{"speed":900}}""");

        Assert.True(written.Succeeded, written.Problem?.Message);
        Assert.Equal(21.5, (double)written.Value["$metadata"]!["target"]!["desiredValue"]!);
        Assert.Equal("Building 7", (string?)written.Value["$metadata"]!["site"]!["desiredValue"]);
        Assert.Equal(900, (int)written.Value["fan"]!["$metadata"]!["speed"]!["desiredValue"]!);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.Equal(2, twin!.DesiredVersion);
        Assert.Equal(21.5, (double)twin.Desired["target"]!);
        Assert.Equal(900, (int)twin.Desired["fan"]!["speed"]!);
        Assert.Null(twin.Desired["site"]);
        Assert.Equal("Building 7", (string?)twin.Cloud!["site"]);
    }

    [Fact]
    public async Task An_unmodeled_write_passes_undeclared_names_but_still_checks_declared_ones()
    {
        var refused = await WriteAsync("""{"extra":1,"target":"warm"}""", unmodeled: true);
        var written = await WriteAsync("""{"extra":1,"target":20}""", unmodeled: true);

        Assert.Equal(ProblemKind.Invalid, refused.Problem?.Kind);
        Assert.True(written.Succeeded, written.Problem?.Message);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.Equal(1, (int)twin!.Desired["extra"]!);
    }

    [Fact]
    public async Task A_device_without_a_template_takes_any_write_and_a_missing_device_is_not_found()
    {
        var loose = await WriteAsync("""{"anything":true}""", device: TwinStore.Loose);
        var ghost = await WriteAsync("""{"target":21}""", device: "ghost-1");

        Assert.True(loose.Succeeded, loose.Problem?.Message);
        Assert.Equal(ProblemKind.NotFound, ghost.Problem?.Kind);
        Assert.Equal("Device 'ghost-1' was not found.", ghost.Problem?.Message);
    }

    [Fact]
    public async Task A_read_shows_only_declared_properties_unless_unmodeled_ones_are_asked_for()
    {
        await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"serialNumber":"A-1","stray":5}"""), null, CancellationToken.None);

        var declared = await _store.Properties.ReadAsync(TwinStore.App, TwinStore.Thermostat, null, null, unmodeled: false, CancellationToken.None);
        var all = await _store.Properties.ReadAsync(TwinStore.App, TwinStore.Thermostat, null, null, unmodeled: true, CancellationToken.None);
        var undeclaredComponent = await _store.Properties.ReadAsync(TwinStore.App, TwinStore.Thermostat, null, "blower", unmodeled: false, CancellationToken.None);

        Assert.Equal("A-1", (string?)declared.Value!["serialNumber"]);
        Assert.Null(declared.Value["stray"]);
        Assert.Equal(5, (int)all.Value!["stray"]!);
        Assert.Equal(ProblemKind.NotFound, undeclaredComponent.Problem?.Kind);
    }
}
