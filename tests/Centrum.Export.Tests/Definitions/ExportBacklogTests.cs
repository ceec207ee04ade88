using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Storage.Entities;
using Centrum.Telemetry;
using Centrum.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Export.Tests.Definitions;

/// <summary>
/// An export's backlog as the administration pages read it: its source log's end less each delivery's persisted cursor,
/// read at the moment of asking, so it grows with the log while nothing is delivered (no runner runs here).
/// </summary>
public sealed class ExportBacklogTests : IAsyncLifetime
{
    private const string App = "app-1";
    private SqliteAreaHost _host = null!;

    private DataExportService Exports => _host.Services.GetRequiredService<DataExportService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("export-backlog", (services, configuration) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTelemetry(configuration);
            services.AddCentrumExport(configuration);
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_backlog_counts_what_each_destination_has_still_to_receive_and_grows_with_the_log()
    {
        await AddEventsAsync(2);
        foreach (var id in new[] { "hook-a", "hook-b" })
        {
            var destination = await Exports.SaveDestinationAsync(App, id, JsonNode.Parse($$"""{"displayName":"{{id}}","type":"webhook@v1","url":"https://example.com/{{id}}"}"""), null, CancellationToken.None);
            Assert.True(destination.Succeeded, destination.Problem?.Message);
        }

        // Starting "now" puts both deliveries at the log's end: the two earlier events are not owed.
        var saved = await Exports.SaveExportAsync(App, "lifecycle", JsonNode.Parse("""
            {"displayName":"Lifecycle","enabled":true,"source":"deviceLifecycle","start":"now","destinations":[{"id":"hook-a"},{"id":"hook-b"}]}
            """), null, CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Problem?.Message);
        Assert.Equal(0, await Exports.BacklogAsync(App, saved.Value, CancellationToken.None));

        await AddEventsAsync(3);
        Assert.Equal(2 * 3, await Exports.BacklogAsync(App, saved.Value, CancellationToken.None));
        await AddEventsAsync(1);
        Assert.Equal(2 * 4, await Exports.BacklogAsync(App, saved.Value, CancellationToken.None));

        // An export that sends nowhere owes nothing.
        var idle = await Exports.SaveExportAsync(App, "idle", JsonNode.Parse("""{"displayName":"Idle","enabled":true,"source":"deviceLifecycle","destinations":[]}"""), null, CancellationToken.None);
        Assert.Equal(0, await Exports.BacklogAsync(App, idle.Value!, CancellationToken.None));
    }

    private async Task AddEventsAsync(int count)
    {
        await using var db = await _host.Contexts.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
        {
            db.DeviceEvents.Add(new DeviceEventEntity { ApplicationId = App, DeviceId = $"d-{Guid.NewGuid():N}", Kind = nameof(DeviceEventKind.Created), Time = DateTimeOffset.UtcNow });
        }

        await db.SaveChangesAsync();
    }
}
