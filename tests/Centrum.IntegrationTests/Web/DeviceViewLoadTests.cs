using System.Globalization;
using System.Text.Json;
using Centrum.Identity.Authorization;
using Xunit.Abstractions;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// A device page open while its device streams at fifty messages a second, with more people watching the same device:
/// the chart ends on the last value the device sent. It reports how many updates the page took per second and what
/// each open browser session costs the server; bench/device-view.sh runs it longer with more sessions for the figures
/// in docs/benchmarks.md (CENTRUM_VIEW_BENCH_SECONDS, CENTRUM_VIEW_BENCH_SESSIONS). It asserts no rate or size.
/// </summary>
public sealed class DeviceViewLoadTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    private const string Model = "dtmi:centrum:web:Streamer;1";

    /// <summary>The device's rate: the figure's condition (issue: "updates per second one open device view sustains at 50 messages/s").</summary>
    private const int MessagesPerSecond = 50;

    /// <summary>
    /// Messages the device keeps in flight. Each waits for its PUBACK, which comes after the commit (a few to tens of
    /// milliseconds on a loaded machine), so one at a time falls well short of fifty a second.
    /// </summary>
    private const int InFlight = 10;

    [Fact]
    public async Task A_device_view_keeps_up_with_a_device_sending_fifty_messages_a_second()
    {
        var seconds = Setting("CENTRUM_VIEW_BENCH_SECONDS", 5);
        var sessions = Setting("CENTRUM_VIEW_BENCH_SESSIONS", 2);
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var template = $$$"""
            {"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[
              {"@type":"Telemetry","name":"value","schema":"double"},{"@type":"Telemetry","name":"seq","schema":"integer"}]}}
            """;
        Assert.True((await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Model)}?{DeviceApi.Version}", CentrumServer.Json(template))).IsSuccessStatusCode);
        var key = await admin.CreateDeviceAsync("streamer", $$"""{"template":"{{Model}}"}""");

        var watcher = await chromium.OpenAsync(server);
        var others = new List<BrowserSession>();
        try
        {
            await OpenAsync(watcher);
            await watcher.Page.EvaluateAsync("""
                () => {
                  window.centrumUpdates = [];
                  const tile = document.querySelector('[data-testid=overview]');
                  new MutationObserver(() => window.centrumUpdates.push(performance.now())).observe(tile, { subtree: true, characterData: true, childList: true });
                }
                """);

            var before = await MemoryAsync(server);
            for (var i = 0; i < sessions; i++)
            {
                var other = await chromium.OpenAsync(server);
                others.Add(other);
                await OpenAsync(other);
            }

            var after = await MemoryAsync(server);
            // Only the updates of the stream count: the others' sign-ins and page loads came before it.
            await watcher.Page.EvaluateAsync("() => { window.centrumUpdates = []; }");
            var count = MessagesPerSecond * seconds;
            var streaming = System.Diagnostics.Stopwatch.StartNew();
            await using var device = NodeDevice.Start(server, new
            {
                connectionString = NodeDevice.ConnectionString(server, "streamer", key),
                action = "stream",
                prefix = "m",
                count,
                window = InFlight,
                intervalMs = 1000 * InFlight / MessagesPerSecond,
            });
            device.Release();
            await device.WaitForExitAsync(TimeSpan.FromSeconds(seconds * 4 + 60));
            var sentRate = count / streaming.Elapsed.TotalSeconds;
            var acked = device.Events.Count(e => (string?)e["event"] == "acked");
            Assert.Equal(count, acked);

            // The stream's last value ((count - 1) * 0.5) is the chart's last point, on every open page.
            var last = (count - 1) * 0.5;
            foreach (var session in others.Prepend(watcher))
            {
                await Wait.UntilAsync(async () => await LastPointAsync(session) == last, TimeSpan.FromSeconds(30), $"the chart shows the last value {last}");
            }

            var updates = await watcher.Page.EvaluateAsync<double[]>("() => window.centrumUpdates");
            var span = (updates[^1] - updates[0]) / 1000;
            var rate = updates.Length / Math.Max(span, 1e-3);
            var perSession = (after.WorkingSet - before.WorkingSet) / Math.Max(sessions, 1);
            var heapPerSession = (after.Heap - before.Heap) / Math.Max(sessions, 1);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"device-view: {count} messages at {sentRate:0.0}/s, {updates.Length} page updates over {span:0.0} s = {rate:0.0} updates/s; " +
                $"{sessions} more sessions: working set {before.WorkingSet / 1048576.0:0.0} -> {after.WorkingSet / 1048576.0:0.0} MiB ({perSession / 1048576.0:0.00} MiB each), " +
                $"GC heap {before.Heap / 1048576.0:0.0} -> {after.Heap / 1048576.0:0.0} MiB ({heapPerSession / 1048576.0:0.00} MiB each)"));
            Assert.NotEmpty(updates);
        }
        finally
        {
            foreach (var session in others)
            {
                await session.DisposeAsync();
            }

            await watcher.DisposeAsync();
        }
    }

    private static async Task OpenAsync(BrowserSession session)
    {
        await session.SignInAsAsync(BuiltInRoles.AppOperator);
        await session.Page.GotoAsync("devices/streamer");
        await session.WaitUntilInteractiveAsync();
        await Microsoft.Playwright.Assertions.Expect(session.Page.Locator("#chart-value")).ToBeAttachedAsync();
    }

    private static async Task<double?> LastPointAsync(BrowserSession session)
    {
        var values = await session.Page.EvaluateAsync<JsonElement>("() => document.getElementById('chart-value')?.data?.[0]?.y ?? []");
        return values.GetArrayLength() == 0 ? null : values[values.GetArrayLength() - 1].GetDouble();
    }

    /// <summary>The server's working set and GC heap, from its Prometheus scrape (the .NET runtime's own meters).</summary>
    private static async Task<(double WorkingSet, double Heap)> MemoryAsync(CentrumServer server)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://{server.Address}:9464/metrics");
        var lines = text.Split('\n').Where(l => !l.StartsWith('#')).ToList();
        return (Sum(lines, "dotnet_process_memory_working_set_bytes"), Sum(lines, "dotnet_gc_last_collection_heap_size_bytes"));
    }

    private static double Sum(List<string> lines, string metric) =>
        lines.Where(l => l.StartsWith(metric, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
