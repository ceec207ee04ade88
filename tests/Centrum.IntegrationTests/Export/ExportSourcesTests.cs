using System.Net;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// What the other export sources carry (template lifecycle, the audit log), backfill from a start point, and a
/// backlog that is reported while nothing is dropped.
/// </summary>
public class ExportSourcesTests
{
    public ExportSourcesTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected ExportSourcesTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    [Fact]
    public async Task Backfill_template_lifecycle_audit_and_a_reported_backlog()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Export:BatchSize"] = "5",
            ["Centrum:Export:BacklogCountLimit"] = "10",
            ["Centrum:Export:InitialRetryDelay"] = "00:00:00.200",
            ["Centrum:Export:MaxRetryDelay"] = "00:00:00.500",
        }, store: Store);
        var http = server.AdminHttp();

        // Telemetry stored before any export exists.
        var key = await http.CreateDeviceAsync("early-1");
        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "early-1", key, cleanSession: true));
            for (var i = 0; i < 30; i++)
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/early-1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
                    .WithPayload($$"""{"n":{{i}}}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            await client.DisconnectAsync();
        }

        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}history"}""");
        await ExportTests.PutAsync(http, "dataExport/destinations/admin", $$"""{"displayName":"Admin","type":"webhook@v1","url":"{{receiver.Url}}admin"}""");

        // The receiver is down: an export that backfills everything reports its backlog, and loses none of it.
        receiver.Down = true;
        var backfill = await ExportTests.PutAsync(http, "dataExport/exports/history", """{"displayName":"History","enabled":true,"source":"telemetry","start":"earliest","destinations":[{"id":"hook"}]}""");
        Assert.Equal("earliest", (string?)backfill["start"]);
        await Wait.UntilAsync(async () =>
        {
            var status = await ExportTests.GetAsync(http, "dataExport/exports/history");
            return status["errors"]!.AsArray().Any(e => (string?)e!["code"] == "destinationUnavailable");
        }, TimeSpan.FromSeconds(30), "the outage reported");
        receiver.Down = false;
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/history").Select(r => (long)r.Json["telemetry"]!["n"]!).Distinct().Count() == 30), TimeSpan.FromSeconds(30), "history backfilled");
        var order = receiver.At("/history").Select(r => (long)r.Json["telemetry"]!["n"]!).Distinct().ToList();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), order);

        // A slow receiver and a small backlog limit: the backlog is reported while delivery goes on.
        receiver.Delay = TimeSpan.FromMilliseconds(300);
        await ExportTests.PutAsync(http, "dataExport/exports/again", """{"displayName":"Again","enabled":true,"source":"telemetry","start":"earliest","destinations":[{"id":"hook"}]}""");
        await Wait.UntilAsync(async () =>
        {
            var status = await ExportTests.GetAsync(http, "dataExport/exports/again");
            return status["errors"]!.AsArray().Any(e => (string?)e!["code"] == "backlog") && (long)status["metrics"]!["backlog"]! > 10;
        }, TimeSpan.FromSeconds(30), "the backlog reported");
        receiver.Delay = TimeSpan.Zero;
        await Wait.UntilAsync(async () => (long)(await ExportTests.GetAsync(http, "dataExport/exports/again"))["metrics"]!["delivered"]! == 30, TimeSpan.FromSeconds(30), "the backlog delivered");
        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/exports/again"))["status"] == "healthy", TimeSpan.FromSeconds(30), "healthy once caught up");

        // Template lifecycle and the audit log, from now on.
        await ExportTests.PutAsync(http, "dataExport/exports/templates", """{"displayName":"Templates","enabled":true,"source":"deviceTemplateLifecycle","destinations":[{"id":"admin"}]}""");
        await ExportTests.PutAsync(http, "dataExport/exports/audit", """{"displayName":"Audit","enabled":true,"source":"audit","filter":"SELECT * FROM devices WHERE $id != 'nobody'","destinations":[{"id":"admin","transform":"{source: .messageSource, type: .messageType, resource: .resource, actor: .actor.type, outcome: .outcome}"}]}""");
        await ExportTests.CreateTemplateAsync(http);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/early-1?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"api/devices/never-1?{DeviceApi.Version}")).StatusCode);

        // Wait for each expected entry rather than a count: the export of the audit source began at its own PUT.
        string[] expected = [ExportTests.Model, "early-1", "never-1"];
        await Wait.UntilAsync(
            () => Task.FromResult(expected.All(id => receiver.At("/admin").Any(r => (string?)r.Json["source"] == "audit" && (string?)r.Json["resource"]?["id"] == id))
                && receiver.At("/admin").Any(r => (string?)r.Json["messageSource"] == "deviceTemplateLifecycle")),
            TimeSpan.FromSeconds(30), "template and audit messages");
        var admin = receiver.At("/admin").Select(r => r.Json).ToList();
        var template = admin.Single(m => (string?)m["messageSource"] == "deviceTemplateLifecycle");
        Assert.Equal("created", (string?)template["messageType"]);
        Assert.Equal(ExportTests.Model, (string?)template["templateId"]);
        Assert.Equal("Boiler", (string?)template["templateName"]);
        var audits = admin.Where(m => (string?)m["source"] == "audit").ToList();
        // The resource's display name as the answer gave it (IoT Central's audit message: resource.displayName); a
        // deletion's answer names none, so the member is left out.
        Assert.Contains(audits, a => (string?)a["type"] == "updated" && (string?)a["resource"]!["type"] == "deviceTemplate" && (string?)a["resource"]!["id"] == ExportTests.Model
            && (string?)a["resource"]!["displayName"] == "Boiler" && (int)a["outcome"]! == 200);
        Assert.Contains(audits, a => (string?)a["type"] == "deleted" && (string?)a["resource"]!["id"] == "early-1" && a["resource"]!["displayName"] is null && (int)a["outcome"]! == 204);
        Assert.Contains(audits, a => (string?)a["type"] == "deleted" && (string?)a["resource"]!["id"] == "never-1" && (int)a["outcome"]! == 404);
        Assert.All(audits, a => Assert.Equal("apiToken", (string?)a["actor"]));
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class ExportSourcesTestsOnPostgreSql() : ExportSourcesTests(MetadataStore.PostgreSql);
