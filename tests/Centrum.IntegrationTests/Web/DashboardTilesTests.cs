using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Every dashboard tile kind that reads data, against the real server with Node SDK devices: a dashboard made through
/// REST over a group of three devices (two in the north, one in the south) draws its KPI, property, bar, pie, heat map,
/// line (per bucket of its resolution), event and state, history, map (telemetry and property) and command tiles with
/// the numbers <c>POST /api/query</c> answers for the same aggregates; a KPI and a line chart's newest bucket follow a
/// value sent after the page opened; a tile whose query is refused says it could not be
/// read and is logged once however often it reads; a command tile runs its command on the device and shows
/// its answer; a deleted group and a capability the template lacks show empty tiles, not errors; and an organization
/// viewer of the north sees the same tiles over the north's devices only, with no command button (it may not run
/// commands).
/// </summary>
public sealed class DashboardTilesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Model = "dtmi:com:example:TileMeter;1";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Queries may span one day at most, so the week-long "Too wide" tile's reads are refused: the failure path.</summary>
    private static readonly Dictionary<string, string> Settings = new() { ["Centrum:Query:MaxWindow"] = "1.00:00:00" };

    private const string Template = """
        {"@type":["ModelDefinition","DeviceModel"],"displayName":"Meter","capabilityModel":{"@id":"dtmi:com:example:TileMeter;1","@type":"Interface","@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
          {"@type":["Telemetry","Temperature"],"name":"temperature","schema":"double","unit":"degreeCelsius"},
          {"@type":"Telemetry","name":"alarm","schema":"string"},
          {"@type":"Telemetry","name":"mode","schema":"string"},
          {"@type":"Telemetry","name":"location","schema":"geopoint"},
          {"@type":"Property","name":"firmware","schema":"string"},
          {"@type":"Property","name":"site","schema":"geopoint"},
          {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"},"response":{"name":"result","schema":{"@type":"Object","fields":[{"name":"rebooted","schema":"boolean"}]}}}]}}
        """;

    /// <summary>What each device sends: two readings, an alarm, a mode per reading and a position per reading.</summary>
    private static readonly Dictionary<string, (string Organization, double[] Temperatures, string Alarm, (double Lat, double Lon)[] Path)> Meters = new()
    {
        ["meter-a"] = ("north", [20, 22], "overheat", [(47.6, -122.3), (47.7, -122.2)]),
        ["meter-b"] = ("north", [30, 34], "door-open", [(48.1, -121.9), (48.2, -121.8)]),
        ["meter-c"] = ("south", [100, 110], "smoke", [(-33.9, 151.2), (-33.8, 151.3)]),
    };

    private static string Capability(string name, string aggregate = "avg") => $$"""{ "capability": "{{name}}", "aggregateFunction": "{{aggregate}}" }""";

    private static string Tile(string name, int x, int y, string configuration) =>
        $$"""{ "displayName": "{{name}}", "x": {{x}}, "y": {{y}}, "width": 3, "height": 2, "configuration": {{configuration}} }""";

    private static string Over(string type, string capabilities, string extra = "", string group = "meters") =>
        $$"""{ "type": "{{type}}", "group": "{{group}}", "devices": [], "capabilities": [{{capabilities}}]{{extra}} }""";

    private const string Range = """, "queryRange": { "type": "time", "duration": "PT30M" }""";

    /// <summary>A line chart's range and the resolution of its buckets.</summary>
    private const string LineRange = """, "queryRange": { "type": "time", "duration": "PT30M", "resolution": "PT5M" }""";

    private static readonly string Dashboard = $$"""
        {
          "displayName": "Every tile",
          "organizations": ["north", "south"],
          "tiles": [
            {{Tile("Average", 0, 0, Over("kpi", Capability("temperature"), Range + """, "format": { "decimalPlaces": 2, "abbreviateValue": false }"""))}},
            {{Tile("Peak", 3, 0, Over("kpi", Capability("temperature", "max"), Range + """, "format": { "decimalPlaces": 1 }"""))}},
            {{Tile("Firmware", 6, 0, Over("property", Capability("firmware")))}},
            {{Tile("Bars", 0, 2, Over("barChart", Capability("temperature"), Range))}},
            {{Tile("Pie", 3, 2, Over("pieChart", Capability("temperature", "sum"), Range))}},
            {{Tile("Heat", 6, 2, Over("heatMapChart", Capability("temperature", "count"), Range))}},
            {{Tile("Events", 0, 4, Over("eventChart", Capability("alarm", "count"), Range))}},
            {{Tile("States", 3, 4, Over("stateChart", Capability("mode", "count"), Range))}},
            {{Tile("Event history", 6, 4, Over("eventHistoryChart", Capability("alarm", "count"), Range))}},
            {{Tile("State history", 0, 6, Over("stateHistoryChart", Capability("mode", "count"), Range))}},
            {{Tile("Map", 3, 6, Over("mapTelemetry", Capability("location", "count")))}},
            {{Tile("Sites", 0, 10, Over("mapProperty", Capability("site", "count")))}},
            {{Tile("Line", 3, 10, Over("lineChart", Capability("temperature") + ", " + Capability("temperature", "max"), LineRange))}},
            {{Tile("Reboot", 6, 6, """{ "type": "command", "group": "meters", "device": "meter-a", "command": "reboot" }""")}},
            {{Tile("Gone", 0, 8, Over("kpi", Capability("temperature"), Range, group: "doomed"))}},
            {{Tile("Missing", 3, 8, Over("barChart", Capability("humidity"), Range))}},
            {{Tile("Too wide", 6, 8, Over("kpi", Capability("temperature"), """, "queryRange": { "type": "time", "duration": "P1W" }"""))}}
          ]
        }
        """;

    [Fact]
    public async Task Every_tile_kind_draws_its_devices_data_within_the_viewers_reach_and_a_command_tile_runs_its_command()
    {
        await using var server = await CentrumServer.StartAsync(Settings);
        var admin = server.AdminHttp();
        var template = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Model)}?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Site"}"""))).StatusCode);
        }

        var devices = new List<NodeDevice>();
        try
        {
            foreach (var (id, meter) in Meters)
            {
                var key = await admin.CreateDeviceAsync(id, $$"""{"template":"{{Model}}","organizations":["{{meter.Organization}}"]}""");
                var device = NodeDevice.Start(server, new
                {
                    connectionString = NodeDevice.ConnectionString(server, id, key),
                    action = "device",
                    twin = true,
                    reports = new[] { new { firmware = "1.0." + id[^1], site = new { lat = meter.Path[0].Lat, lon = meter.Path[0].Lon } } },
                    methods = new { reboot = new { status = 200, payload = new { rebooted = true } } },
                    messages = meter.Temperatures.Select((t, i) => new
                    {
                        body = i == 0
                            ? (object)new { temperature = t, mode = "idle", location = new { lat = meter.Path[i].Lat, lon = meter.Path[i].Lon } }
                            : new { temperature = t, mode = "busy", alarm = meter.Alarm, location = new { lat = meter.Path[i].Lat, lon = meter.Path[i].Lon } },
                        contentType = "application/json",
                        contentEncoding = "utf-8",
                    }),
                });
                devices.Add(device);
                await device.WaitForEventAsync("ready", Timeout);
            }

            await CreateGroupAsync(admin, "meters");
            await CreateGroupAsync(admin, "doomed");
            var made = await admin.PutAsync($"api/dashboards/tiles?{Preview}", CentrumServer.Json(Dashboard));
            Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/deviceGroups/doomed?{DeviceApi.Version}")).StatusCode);
            await Wait.UntilAsync(async () => (await QueryAsync(admin, $"SELECT count(temperature) FROM {Model} WHERE WITHIN_WINDOW(PT30M)")).Single()["count_temperature"]?.GetValue<long>() == 6, Timeout, "the six readings are stored");

            await using (var browser = await chromium.OpenAsync(server))
            {
                await browser.SignInAsAsync(BuiltInRoles.AppOperator);
                await OpenAsync(browser);
                await AssertTilesAsync(browser, admin, ["meter-a", "meter-b", "meter-c"]);
                await AssertCommandRunsAsync(browser, devices[0]);

                // A reading sent after the page opened reaches the KPI without a reload. The device's first client lets
                // go first: a second connection of the same device would take its place, and the first's reconnection
                // would take it back.
                devices[1].Release();
                await devices[1].WaitForExitAsync(Timeout);
                var live = await NodeDevice.RunAsync(server, new
                {
                    connectionString = NodeDevice.ConnectionString(server, "meter-b", (string)(await admin.GetJsonAsync("api/devices/meter-b/credentials"))["symmetricKey"]!["primaryKey"]!),
                    action = "telemetry",
                    messages = new[] { new { body = new { temperature = 150.25 }, contentType = "application/json", contentEncoding = "utf-8" } },
                }, Timeout);
                Assert.Contains(live, e => (string?)e["event"] == "sent");
                await Assertions.Expect(browser.Page.Locator("[data-tile='Peak']").GetByTestId("kpi-value")).ToHaveTextAsync("150.3", new() { Timeout = 30_000 });
                await Assertions.Expect(browser.Page.Locator("[data-tile='Peak']").GetByTestId("kpi-trend")).ToContainTextAsync("No earlier value");
                await Wait.UntilAsync(
                    async () => await LineAsync(browser.Page) is { } lines && lines.TryGetValue("temperature (max)", out var max) && max.Count > 0 && max[^1].Value == 150.25,
                    Timeout, "the line chart's newest bucket takes the reading sent after the page opened");
                await AssertLineAsync(browser.Page, admin, ["meter-a", "meter-b", "meter-c"]);
            }

            // The refused tile read every period while the page was open, and was logged once.
            Assert.Single(server.Log.Split('\n'), l => l.Contains("of dashboard tiles in application", StringComparison.Ordinal) && l.Contains("could not read its data", StringComparison.Ordinal));

            // An organization viewer of the north: the north's devices only, and no command button.
            await using var northern = await chromium.OpenAsync(server);
            await northern.SignInAsync(await northern.CreateMemberAsync(BuiltInRoles.OrgViewer, organization: "north"));
            await OpenAsync(northern);
            await AssertTilesAsync(northern, admin, ["meter-a", "meter-b"]);
            await Assertions.Expect(northern.Page.Locator("[data-tile='Reboot']").GetByTestId("command-tile")).ToHaveAttributeAsync("data-device", "meter-a");
            await Assertions.Expect(northern.Page.GetByTestId("tile-run-command")).ToHaveCountAsync(0);
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }

    private static async Task OpenAsync(BrowserSession browser)
    {
        await browser.Page.GotoAsync("dashboards/tiles");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("dashboard-title")).ToHaveTextAsync("Every tile");
    }

    /// <summary>Each tile shows exactly <paramref name="reached"/>'s data, with the aggregates <c>POST /api/query</c> answers over them.</summary>
    private static async Task AssertTilesAsync(BrowserSession browser, HttpClient admin, string[] reached)
    {
        var page = browser.Page;
        var within = $"[{string.Join(", ", reached.Select(d => $"'{d}'"))}]";
        var where = $"WITHIN_WINDOW(PT30M) AND $id IN {within}";

        // KPI: the average over the reached devices, with the tile's two decimal places.
        var average = (await QueryAsync(admin, $"SELECT avg(temperature) FROM {Model} WHERE {where}")).Single()["avg_temperature"]!.GetValue<double>();
        await Assertions.Expect(page.Locator("[data-tile='Average']").GetByTestId("kpi-value")).ToHaveTextAsync(average.ToString("F2", CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-tile='Average'] .dashboard-kpi-unit")).ToHaveTextAsync("°C");

        // Property: each reached device's reported firmware.
        var properties = page.Locator("[data-tile='Firmware'] [data-testid='property-value']");
        await Assertions.Expect(properties).ToHaveCountAsync(reached.Length, new() { Timeout = 30_000 });
        foreach (var device in reached)
        {
            await Assertions.Expect(properties.And(page.Locator($"[data-device='{device}']")).Locator(".dashboard-property-value")).ToHaveTextAsync("1.0." + device[^1]);
        }

        // Bar, pie and heat map: each reached device's aggregate, as POST /api/query answers it for that device.
        foreach (var (tile, testId, aggregate, x, y) in new[] { ("Bars", "bar-chart", "avg", "x", "y"), ("Pie", "pie-chart", "sum", "labels", "values"), ("Heat", "heat-map-chart", "count", "x", "z") })
        {
            var expected = new Dictionary<string, double>();
            foreach (var device in reached)
            {
                var row = (await QueryAsync(admin, $"SELECT {aggregate}(temperature) FROM {Model} WHERE WITHIN_WINDOW(PT30M) AND $id = '{device}'")).Single();
                expected[device] = row[$"{aggregate}_temperature"]!.GetValue<double>();
            }

            var plot = $"[data-tile='{tile}'] [data-testid='{testId}']";
            await Wait.UntilAsync(
                async () => await DrawnAsync(page, plot, x, y, heat: tile == "Heat") is { } drawn && drawn.Count == expected.Count && expected.All(e => drawn.TryGetValue(e.Key, out var v) && Math.Abs(v - e.Value) < 1e-9),
                Timeout, $"the {tile} tile draws {string.Join(", ", expected)}");
        }

        await AssertLineAsync(page, admin, reached);

        // Event and state charts: a timeline per reached device with the values they sent.
        await Wait.UntilAsync(
            async () => await Strings(page, "[data-tile='Events'] [data-testid='event-chart']", "d => d.flatMap(t => t.y)") is { } ys && ys.Distinct().Order().SequenceEqual(reached),
            Timeout, "the event chart has a timeline per reached device");
        Assert.Equal(reached.Select(d => Meters[d].Alarm).Order(), (await Strings(page, "[data-tile='Events'] [data-testid='event-chart']", "d => d.flatMap(t => t.text)"))!.Order());
        await Wait.UntilAsync(
            async () => await Strings(page, "[data-tile='States'] [data-testid='state-chart']", "d => d.map(t => t.name + ':' + t.y.slice().sort().join('|'))") is { } states
                && states.SequenceEqual([$"busy:{string.Join('|', reached)}", $"idle:{string.Join('|', reached)}"]),
            Timeout, "the state chart draws each device's idle and busy states");

        // Histories: the latest values with their devices.
        var events = page.Locator("[data-tile='Event history'] [data-testid='history-row']");
        await Assertions.Expect(events).ToHaveCountAsync(reached.Length, new() { Timeout = 30_000 });
        foreach (var device in reached)
        {
            await Assertions.Expect(events.And(page.Locator($"[data-device='{device}']")).GetByTestId("history-value")).ToHaveTextAsync(Meters[device].Alarm);
        }

        await Assertions.Expect(page.Locator("[data-tile='State history'] [data-testid='history-row']")).ToHaveCountAsync(reached.Length * 2);

        // Map: no base map is configured, so positions on plain latitude and longitude axes; each device's path and its last position.
        var map = "[data-tile='Map'] [data-testid='map']";
        await Assertions.Expect(page.Locator(map)).ToHaveAttributeAsync("data-base-map", "none", new() { Timeout = 30_000 });
        var expectedTraces = reached.SelectMany(d => new[]
        {
            $"{d} path:{string.Join('|', Meters[d].Path.Select(p => Point(p.Lat, p.Lon)))}",
            $"{d}:{Point(Meters[d].Path[^1].Lat, Meters[d].Path[^1].Lon)}",
        }).ToList();
        await Wait.UntilAsync(
            async () => await Strings(page, map, "d => d.map(t => t.name + ':' + t.y.map((lat, i) => lat + ',' + t.x[i]).join('|'))") is { } traces && traces.SequenceEqual(expectedTraces),
            Timeout, $"the map draws {string.Join("; ", expectedTraces)}");

        // A map of a geopoint property: each device's reported position.
        var sites = reached.Select(d => $"{d}:{Point(Meters[d].Path[0].Lat, Meters[d].Path[0].Lon)}").ToList();
        await Wait.UntilAsync(
            async () => await Strings(page, "[data-tile='Sites'] [data-testid='map']", "d => d.map(t => t.name + ':' + t.y.map((lat, i) => lat + ',' + t.x[i]).join('|'))") is { } traces && traces.SequenceEqual(sites),
            Timeout, $"the property map draws {string.Join("; ", sites)}");

        // A deleted group and a capability the template lacks: empty tiles; no tile failed.
        await Assertions.Expect(page.Locator("[data-tile='Gone']").GetByTestId("tile-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-tile='Missing']").GetByTestId("tile-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-tile='Too wide']").GetByTestId("tile-error")).ToHaveTextAsync("This tile could not be read.");
        await Assertions.Expect(page.GetByTestId("tile-error")).ToHaveCountAsync(1);
        Assert.Empty(browser.ForeignRequests);
    }

    /// <summary>
    /// The line chart draws, per capability, the buckets <c>POST /api/query</c> answers for the same aggregate grouped by
    /// the tile's resolution over the reached devices.
    /// </summary>
    private static async Task AssertLineAsync(IPage page, HttpClient admin, string[] reached)
    {
        var within = $"[{string.Join(", ", reached.Select(d => $"'{d}'"))}]";
        var expected = new Dictionary<string, List<(DateTime Time, double Value)>>();
        foreach (var aggregate in new[] { "avg", "max" })
        {
            var rows = await QueryAsync(admin, $"SELECT $ts, {aggregate}(temperature) FROM {Model} WHERE WITHIN_WINDOW(PT30M) AND $id IN {within} GROUP BY WINDOW(PT5M)");
            expected[$"temperature ({aggregate})"] = rows
                .Select(r => (DateTime.Parse((string)r["$ts"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), r[$"{aggregate}_temperature"]!.GetValue<double>()))
                .ToList();
        }

        Assert.All(expected.Values, buckets => Assert.NotEmpty(buckets));
        await Wait.UntilAsync(
            async () => await LineAsync(page) is { } lines && lines.Count == expected.Count
                && expected.All(e => lines.TryGetValue(e.Key, out var line) && line.Count == e.Value.Count
                    && line.Zip(e.Value).All(p => p.First.Time == p.Second.Time && Math.Abs(p.First.Value - p.Second.Value) < 1e-9)),
            Timeout, $"the line chart draws {Describe(expected)}");
    }

    /// <summary>The line chart's traces: each name with its points (bucket start, value).</summary>
    private static async Task<Dictionary<string, List<(DateTime Time, double Value)>>?> LineAsync(IPage page)
    {
        var traces = await Strings(page, "[data-tile='Line'] [data-testid='line-chart']", "d => d.map(t => t.name + '=' + t.x.map((x, i) => x + '~' + t.y[i]).join('|'))");
        return traces?.Select(t => t.Split('=', 2)).ToDictionary(
            t => t[0],
            t => t[1].Split('|', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('~')).Select(p => (
                DateTime.ParseExact(p[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                double.Parse(p[1], CultureInfo.InvariantCulture))).ToList());
    }

    private static string Describe(Dictionary<string, List<(DateTime Time, double Value)>> lines) =>
        string.Join("; ", lines.Select(l => $"{l.Key}: {string.Join(", ", l.Value.Select(p => FormattableString.Invariant($"{p.Time:HH:mm} {p.Value}")))}"));

    private static async Task AssertCommandRunsAsync(BrowserSession browser, NodeDevice device)
    {
        var tile = browser.Page.Locator("[data-tile='Reboot']");
        await tile.Locator("input").FillAsync("3");
        await tile.GetByTestId("tile-run-command").ClickAsync();
        await Assertions.Expect(tile.GetByTestId("tile-command-response")).ToHaveTextAsync("""200 {"rebooted":true}""", new() { Timeout = 30_000 });
        var called = device.Events.Single(e => (string?)e["event"] == "method");
        Assert.Equal(3, (int)called["payload"]!);
    }

    private static string Point(double lat, double lon) => FormattableString.Invariant($"{lat},{lon}");

    /// <summary>The device → value pairs plotly drew (a heat map's one row of z against its x).</summary>
    private static async Task<Dictionary<string, double>?> DrawnAsync(IPage page, string selector, string x, string y, bool heat)
    {
        var drawn = await page.EvaluateAsync<JsonElement>(
            $"s => {{ const e = document.querySelector(s); const t = e && e.data && e.data[0]; return t ? {{ x: t['{x}'], y: {(heat ? $"t['{y}'][0]" : $"t['{y}']")} }} : null; }}", selector);
        if (drawn.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var keys = drawn.GetProperty("x").EnumerateArray().Select(k => k.GetString()!).ToList();
        var values = drawn.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToList();
        return keys.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>Strings computed from the traces plotly drew on the element (<paramref name="map"/> maps its <c>data</c>).</summary>
    private static async Task<string[]?> Strings(IPage page, string selector, string map)
    {
        var drawn = await page.EvaluateAsync<JsonElement>($"s => {{ const e = document.querySelector(s); return e && e.data ? ({map})(e.data).map(String) : null; }}", selector);
        return drawn.ValueKind == JsonValueKind.Array ? [.. drawn.EnumerateArray().Select(v => v.GetString()!)] : null;
    }

    private static async Task CreateGroupAsync(HttpClient admin, string id)
    {
        var group = await admin.PutAsync($"api/deviceGroups/{id}?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["displayName"] = id, ["filter"] = $"SELECT * FROM devices WHERE $template = \"{Model}\"", ["organizations"] = new JsonArray("north", "south"),
        }.ToJsonString()));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
    }

    private static async Task<IReadOnlyList<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }
}
