using System.Net;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// At-least-once delivery under faults: the receiver is down while devices send, then comes back slowly, and the
/// server is killed (SIGKILL) while it delivers. Every message a device had acknowledged must arrive, in order per
/// device, with no more duplicates than one batch.
/// </summary>
public class ExportFaultToleranceTests
{
    public ExportFaultToleranceTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected ExportFaultToleranceTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    private const int BatchSize = 50;
    private const int Devices = 4;
    private const int PerDevice = 150;

    [Fact]
    public async Task A_receiver_outage_and_a_hard_kill_lose_nothing_keep_order_and_bound_duplicates()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Export:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Centrum:Export:InitialRetryDelay"] = "00:00:00.200",
            ["Centrum:Export:MaxRetryDelay"] = "00:00:01",
        }, store: Store);
        var http = server.AdminHttp();
        await ExportTests.CreateTemplateAsync(http);
        var keys = new Dictionary<string, string>();
        for (var i = 0; i < Devices; i++)
        {
            keys[$"dev-{i}"] = await http.CreateDeviceAsync($"dev-{i}", $$"""{"template":"{{ExportTests.Model}}"}""");
        }

        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}in"}""");
        await ExportTests.PutAsync(http, "dataExport/exports/all", """{"displayName":"All","enabled":true,"source":"telemetry","destinations":[{"id":"hook"}]}""");

        // The receiver is down while the devices send; the export reports the error and keeps the backlog.
        receiver.Down = true;
        var streams = keys.Select(k => NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, k.Key, k.Value),
            transport = "mqtt",
            action = "stream",
            prefix = k.Key,
            count = PerDevice,
            window = 4,
        }, TimeSpan.FromSeconds(120))).ToList();
        foreach (var events in await Task.WhenAll(streams))
        {
            Assert.Equal(PerDevice, events.Count(e => (string?)e["event"] == "acked"));
        }

        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/exports/all"))["status"] == "error", TimeSpan.FromSeconds(30), "the export reports the outage");
        var down = await ExportTests.GetAsync(http, "dataExport/exports/all");
        Assert.Equal("destinationUnavailable", (string?)down["errors"]![0]!["code"]);
        Assert.True((long)down["metrics"]!["failed"]! > 0);
        Assert.Empty(receiver.At("/in"));

        // It comes back, slowly; the server is killed hard while it delivers, then restarted.
        receiver.Delay = TimeSpan.FromMilliseconds(15);
        receiver.Down = false;
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/in").Count >= 120), TimeSpan.FromSeconds(60), "delivery resumed");
        await server.KillAsync();
        Assert.True(receiver.At("/in").Count < Devices * PerDevice, "the kill landed before delivery finished");
        await server.StartAsync();
        http = server.AdminHttp();
        receiver.Delay = TimeSpan.Zero;

        await Wait.UntilAsync(() => Task.FromResult(Distinct(receiver).Count == Devices * PerDevice), TimeSpan.FromSeconds(90),
            $"every acknowledged message delivered (have {Distinct(receiver).Count})");
        var received = receiver.At("/in").Select(r => r.Json).ToList();
        foreach (var device in keys.Keys)
        {
            // Order per device: the first delivery of each message comes in the order the device sent it.
            var seen = new HashSet<long>();
            var firsts = received.Where(m => (string?)m["deviceId"] == device).Select(m => (long)m["telemetry"]!["seq"]!).Where(seen.Add).ToList();
            Assert.Equal(Enumerable.Range(0, PerDevice).Select(i => (long)i), firsts);
        }

        var duplicates = received.Count - Distinct(receiver).Count;
        Assert.True(duplicates <= BatchSize, $"{duplicates} duplicates; at most one batch ({BatchSize}) may be resent");
        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/exports/all"))["status"] == "healthy", TimeSpan.FromSeconds(30), "healthy again");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/dataExport/exports/all?{ExportTests.Preview}")).StatusCode);
    }

    private static HashSet<(string?, long)> Distinct(WebhookReceiver receiver) =>
        receiver.At("/in").Select(r => r.Json).Select(m => ((string?)m["deviceId"], (long)m["telemetry"]!["seq"]!)).ToHashSet();
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class ExportFaultToleranceTestsOnPostgreSql() : ExportFaultToleranceTests(MetadataStore.PostgreSql);
