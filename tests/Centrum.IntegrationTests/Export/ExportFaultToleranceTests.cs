using System.Net;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// At-least-once delivery under faults: the receiver is down while devices send, then comes back slowly, and the
/// server is killed (SIGKILL) while it delivers. Every message a device had acknowledged must arrive, in order per
/// device, with no more duplicates than one batch; a receiver that fails some devices' messages gets only those again.
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
    private const int MaxBatchSize = 200;
    private const int Devices = 4;
    private const int PerDevice = 150;

    [Fact]
    public async Task A_receiver_outage_and_a_hard_kill_lose_nothing_keep_order_and_bound_duplicates()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(Settings, store: Store);
        var (http, keys) = await SetUpAsync(server, receiver);

        // The receiver is down while the devices send; the export reports the error and keeps the backlog.
        receiver.Down = true;
        await StreamAsync(server, keys);

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

        // A backlog grows the batch up to MaxBatchSize, and a crash repeats at most the batch in flight.
        var duplicates = received.Count - Distinct(receiver).Count;
        Assert.True(duplicates <= MaxBatchSize, $"{duplicates} duplicates; at most one batch ({MaxBatchSize}) may be resent");
        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/exports/all"))["status"] == "healthy", TimeSpan.FromSeconds(30), "healthy again");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/dataExport/exports/all?{ExportTests.Preview}")).StatusCode);
    }

    [Fact]
    public async Task A_receiver_failing_one_device_gets_only_that_device_resent_and_loses_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(Settings, store: Store);
        var (http, keys) = await SetUpAsync(server, receiver);

        // The receiver fails dev-1's messages from its 40th on; the others it accepts, each once.
        receiver.Refuse = m => (string?)m["deviceId"] == "dev-1" && (long)m["telemetry"]!["seq"]! >= 40;
        await StreamAsync(server, keys);

        await Wait.UntilAsync(async () => (long)(await ExportTests.GetAsync(http, "dataExport/exports/all"))["metrics"]!["failed"]! >= 5,
            TimeSpan.FromSeconds(60), "the refused device's messages retried several times");
        Assert.Equal(40, receiver.At("/in").Count(r => (string?)r.Json["deviceId"] == "dev-1"));

        receiver.Refuse = null;
        await Wait.UntilAsync(() => Task.FromResult(Distinct(receiver).Count == Devices * PerDevice), TimeSpan.FromSeconds(90),
            $"every acknowledged message delivered (have {Distinct(receiver).Count})");

        // Nothing lost, nothing accepted sent twice, each device in order.
        var received = receiver.At("/in").Select(r => r.Json).ToList();
        Assert.Equal(Devices * PerDevice, received.Count);
        foreach (var device in keys.Keys)
        {
            Assert.Equal(Enumerable.Range(0, PerDevice).Select(i => (long)i),
                received.Where(m => (string?)m["deviceId"] == device).Select(m => (long)m["telemetry"]!["seq"]!));
        }

        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/exports/all"))["status"] == "healthy", TimeSpan.FromSeconds(30), "healthy again");
    }

    private static Dictionary<string, string> Settings => new()
    {
        ["Centrum:Export:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Centrum:Export:MaxBatchSize"] = MaxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Centrum:Export:InitialRetryDelay"] = "00:00:00.200",
        ["Centrum:Export:MaxRetryDelay"] = "00:00:01",
    };

    /// <summary>The template, the devices (their keys by id), and a telemetry export of them to the receiver's <c>/in</c>.</summary>
    private static async Task<(HttpClient Http, Dictionary<string, string> Keys)> SetUpAsync(CentrumServer server, WebhookReceiver receiver)
    {
        var http = server.AdminHttp();
        await ExportTests.CreateTemplateAsync(http);
        var keys = new Dictionary<string, string>();
        for (var i = 0; i < Devices; i++)
        {
            keys[$"dev-{i}"] = await http.CreateDeviceAsync($"dev-{i}", $$"""{"template":"{{ExportTests.Model}}"}""");
        }

        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}in"}""");
        await ExportTests.PutAsync(http, "dataExport/exports/all", """{"displayName":"All","enabled":true,"source":"telemetry","destinations":[{"id":"hook"}]}""");
        return (http, keys);
    }

    /// <summary>Every device sends <see cref="PerDevice"/> messages (SDK, MQTT, 4 in flight), each acknowledged.</summary>
    private static async Task StreamAsync(CentrumServer server, Dictionary<string, string> keys)
    {
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
    }

    private static HashSet<(string?, long)> Distinct(WebhookReceiver receiver) =>
        receiver.At("/in").Select(r => r.Json).Select(m => ((string?)m["deviceId"], (long)m["telemetry"]!["seq"]!)).ToHashSet();
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class ExportFaultToleranceTestsOnPostgreSql() : ExportFaultToleranceTests(MetadataStore.PostgreSql);
