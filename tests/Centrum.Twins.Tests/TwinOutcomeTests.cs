using System.Text.Json.Nodes;
using Centrum.Outcomes;

namespace Centrum.Twins.Tests;

/// <summary>A twin update answers with an outcome: the new version, or the problem that refused it and left the twin as it was.</summary>
public sealed class TwinOutcomeTests : IAsyncLifetime
{
    private readonly TwinStore _store = new();

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync();

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public async Task Accepted_updates_answer_with_versions_that_grow_by_one()
    {
        // A twin starts at version 1 on both sides, as IoT Hub's do.
        var first = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"a":1}"""), null, CancellationToken.None);
        var second = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"b":2}"""), 2, CancellationToken.None);
        var desired = await _store.Twins.PatchDesiredAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"c":3}"""), CancellationToken.None);

        Assert.Equal(2, first.Value);
        Assert.Equal(3, second.Value);
        Assert.Equal(2, desired.Value);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(Json("""{"a":1,"b":2}"""), twin!.Reported));
    }

    [Fact]
    public async Task An_update_of_a_device_that_does_not_exist_is_not_found_and_creates_no_twin()
    {
        var reported = await _store.Twins.PatchReportedAsync(TwinStore.App, "ghost-1", null, Json("""{"a":1}"""), null, CancellationToken.None);
        var desired = await _store.Twins.PatchDesiredAsync(TwinStore.App, "ghost-1", null, Json("""{"a":1}"""), CancellationToken.None);
        var cloud = await _store.Twins.PatchCloudAsync(TwinStore.App, "ghost-1", Json("""{"a":1}"""), CancellationToken.None);
        var module = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, "edgeModule", Json("""{"a":1}"""), null, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, reported.Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, desired.Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, cloud.Problem?.Kind);
        Assert.Equal("Device 'ghost-1' was not found.", reported.Problem?.Message);
        Assert.Equal("Module 'edgeModule' of device 'thermostat-1' was not found.", module.Problem?.Message);
        Assert.Null(await _store.Twins.GetAsync(TwinStore.App, "ghost-1", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_reported_update_against_a_stale_version_fails_its_precondition_and_changes_nothing()
    {
        await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"a":1}"""), null, CancellationToken.None);

        var stale = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json("""{"a":2}"""), 1, CancellationToken.None);

        Assert.Equal(ProblemKind.PreconditionFailed, stale.Problem?.Kind);
        Assert.Equal("The twin's version is 2, not 1.", stale.Problem?.Message);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.Equal(2, twin!.ReportedVersion);
        Assert.Equal(1, (int)twin.Reported["a"]!);
    }

    [Fact]
    public async Task An_update_that_would_grow_a_document_past_the_limit_is_too_large_and_changes_nothing()
    {
        // Each value stays under the string limit; together they pass the document limit.
        var patch = new JsonObject();
        for (var i = 0; i < TwinLimits.MaxDocumentSize / TwinLimits.MaxStringBytes + 1; i++)
        {
            patch[$"big{i}"] = new string('x', TwinLimits.MaxStringBytes - 16);
        }

        var reported = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, patch, null, CancellationToken.None);
        var desired = await _store.Twins.PatchDesiredAsync(TwinStore.App, TwinStore.Thermostat, null, (JsonObject)patch.DeepClone(), CancellationToken.None);

        Assert.Equal(ProblemKind.TooLarge, reported.Problem?.Kind);
        Assert.Contains($"the limit is {TwinLimits.MaxDocumentSize}", reported.Problem?.Message, StringComparison.Ordinal);
        Assert.Equal(ProblemKind.TooLarge, desired.Problem?.Kind);
        var twin = await _store.Twins.GetAsync(TwinStore.App, TwinStore.Thermostat, null, CancellationToken.None);
        Assert.Equal(1, twin!.ReportedVersion);
        Assert.Equal(1, twin.DesiredVersion);
        Assert.Empty(twin.Reported);
    }

    [Theory]
    [InlineData("""{"a.b":1}""", "is not allowed")]
    [InlineData("""{"$a":1}""", "is not allowed")]
    [InlineData("""{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":{"l9":{"l10":{"l11":1}}}}}}}}}}}""", "deeper than 10")]
    public async Task A_patch_IoT_Hub_would_refuse_is_invalid(string patch, string message)
    {
        var reported = await _store.Twins.PatchReportedAsync(TwinStore.App, TwinStore.Thermostat, null, Json(patch), null, CancellationToken.None);

        Assert.Equal(ProblemKind.Invalid, reported.Problem?.Kind);
        Assert.Contains(message, reported.Problem?.Message, StringComparison.Ordinal);
    }
}
