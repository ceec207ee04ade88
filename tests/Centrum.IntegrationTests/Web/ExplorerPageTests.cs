using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.Web.Pages.Explorer;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The data explorer over a day of telemetry of three devices in two organizations: a query built on the page shows,
/// page by page, the numbers <c>POST /api/query</c> answers for the query text the page shows, downloads them as CSV,
/// draws one line per device and field, reports the service's refusals, and gives an organization-scoped member (or a
/// device group) only its devices' data.
/// </summary>
public sealed class ExplorerPageTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Model = "dtmi:com:example:Boiler;1";

    /// <summary>Readings per device and field: one every ten minutes over the 23 hours before the test.</summary>
    private const int Readings = 138;

    private static readonly string[] Columns = ["$ts", "avg_temperature", "max_probe_pressure"];

    [Fact]
    public async Task A_query_built_on_the_page_shows_and_downloads_what_post_query_answers_within_the_callers_reach()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await SeedAsync(server, admin);
        admin = server.AdminHttp();

        // The administrator builds the query: average temperature and the probe component's highest pressure per hour of the last day.
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        await browser.NavLink("Data explorer").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        var page = browser.Page;
        await BuildAsync(page);
        var text = "SELECT AVG(temperature), MAX(probe.pressure) FROM dtmi:com:example:Boiler;1 WHERE WITHIN_WINDOW(P1D) GROUP BY WINDOW(PT1H)";
        await Assertions.Expect(page.GetByTestId("explorer-query")).ToHaveTextAsync(text);
        await page.GetByTestId("explorer-run").ClickAsync();

        var expected = await QueryAsync(admin, text);
        Assert.InRange(expected.Count, 23, 25);
        await Assertions.Expect(page.GetByTestId("explorer-count")).ToHaveTextAsync($"{expected.Count} rows");
        Assert.Equal(Columns, await page.GetByTestId("explorer-table").Locator("thead th").AllTextContentsAsync());
        var shown = await TableAsync(page);
        Assert.Equal(expected.Count, shown.Count);
        AssertRows(expected, shown);

        // The CSV holds the whole result, in the same columns.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("explorer-csv").ClickAsync());
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', Columns), lines[0]);
        AssertRows(expected, lines.Skip(1).Select(l => l.Split(',')).ToList());

        // Values without aggregation over the last hour: one line per device and field in the chart.
        await page.GetByTestId("aggregate-temperature").SelectOptionAsync("None");
        await page.GetByTestId("field-probe.pressure").UncheckAsync();
        await page.GetByTestId("explorer-window").SelectOptionAsync(new SelectOptionValue { Label = "(no window)" });
        await page.GetByTestId("explorer-range").SelectOptionAsync("PT1H");
        await Assertions.Expect(page.GetByTestId("explorer-query")).ToHaveTextAsync("SELECT $id, $ts, temperature FROM dtmi:com:example:Boiler;1 WHERE WITHIN_WINDOW(PT1H)");
        await page.GetByTestId("explorer-run").ClickAsync();
        await page.GetByTestId("explorer-view-chart").ClickAsync();
        await Assertions.Expect(page.Locator("#explorer-plot")).ToHaveAttributeAsync("data-series", "3");
        // plotly.js (3.7 MB) loads on the first chart: on a loaded machine that takes more than the default 5 s.
        await Assertions.Expect(page.Locator("#explorer-plot .scatterlayer .trace")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        var names = await page.Locator("#explorer-plot").EvaluateAsync<string[]>("e => e.data.map(t => t.name)");
        Assert.Equal(["north-1 · temperature", "north-2 · temperature", "south-1 · temperature"], names.Order(StringComparer.Ordinal));

        // A query the service refuses says why in the page: plain values cannot be grouped by a window.
        await page.GetByTestId("explorer-window").SelectOptionAsync("PT1H");
        await page.GetByTestId("explorer-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("explorer-error")).ToContainTextAsync("With GROUP BY WINDOW every selected item must be an aggregate");

        // A device group fixes the template and narrows the devices to its members: the north group's result is what
        // the query answers over the north devices alone.
        var north = await QueryAsync(admin, text.Replace(" GROUP BY", " AND $id IN ['north-1', 'north-2'] GROUP BY", StringComparison.Ordinal));
        Assert.NotEqual(expected.Select(r => (double?)r["avg_temperature"]), north.Select(r => (double?)r["avg_temperature"]));
        await page.ReloadAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("explorer-group").SelectOptionAsync("north-boilers");
        await Assertions.Expect(page.GetByTestId("explorer-template")).ToHaveValueAsync(Model);
        await BuildAsync(page);
        await Assertions.Expect(page.GetByTestId("explorer-scope")).ToBeVisibleAsync();
        await page.GetByTestId("explorer-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("explorer-count")).ToHaveTextAsync($"{north.Count} rows");
        AssertRows(north, await TableAsync(page));

        // An operator of the north organization sees the north devices' data only, with no group chosen.
        await using var scoped = await chromium.OpenAsync(server);
        var email = await scoped.CreateMemberAsync(PermissionTables.PredefinedRoles["org-operator"], organization: "north");
        await scoped.SignInAsync(email);
        await scoped.Page.GotoAsync("explorer");
        await scoped.WaitUntilInteractiveAsync();
        await BuildAsync(scoped.Page);
        await Assertions.Expect(scoped.Page.GetByTestId("explorer-query")).ToHaveTextAsync(text);
        await scoped.Page.GetByTestId("explorer-run").ClickAsync();
        await Assertions.Expect(scoped.Page.GetByTestId("explorer-count")).ToHaveTextAsync($"{north.Count} rows");
        AssertRows(north, await TableAsync(scoped.Page));

        // An explicit range is written as an absolute window; one longer than the service allows is refused in words.
        await scoped.Page.GetByTestId("explorer-range").SelectOptionAsync("explicit");
        await Assertions.Expect(scoped.Page.GetByTestId("explorer-range-hint")).ToBeVisibleAsync();
        await JobPagesTests.Field(scoped.Page, "explorer-from").FillAsync("2026-01-01T00:00:00Z");
        await JobPagesTests.Field(scoped.Page, "explorer-to").FillAsync("2026-03-02T00:00:00Z");
        await JobPagesTests.Field(scoped.Page, "explorer-to").PressAsync("Tab");
        await Assertions.Expect(scoped.Page.GetByTestId("explorer-query")).ToContainTextAsync("WITHIN_WINDOW('2026-01-01T00:00:00Z/2026-03-02T00:00:00Z')");
        await scoped.Page.GetByTestId("explorer-run").ClickAsync();
        await Assertions.Expect(scoped.Page.GetByTestId("explorer-error")).ToContainTextAsync("WITHIN_WINDOW spans at most");
        Assert.Empty(browser.ForeignRequests);
        Assert.Empty(scoped.ForeignRequests);
    }

    [Fact]
    public void Csv_cells_a_spreadsheet_would_run_as_formulas_are_quoted_and_numbers_stay_numbers()
    {
        var rows = new List<JsonObject>
        {
            new() { ["$id"] = "=HYPERLINK(\"x\")", ["v"] = -1.5 },
            new() { ["$id"] = "+1", ["v"] = 2 },
            new() { ["$id"] = "-2", ["v"] = null },
            new() { ["$id"] = "@sum", ["v"] = 0.1 },
            new() { ["$id"] = "a,b", ["v"] = 3 },
            new() { ["$id"] = "\tx", ["v"] = 4 },
        };

        var csv = ExplorerCsv.Write(["$id", "v"], rows);

        Assert.Equal(
            "$id,v\r\n\"'=HYPERLINK(\"\"x\"\")\",-1.5\r\n\"'+1\",2\r\n\"'-2\",\r\n\"'@sum\",0.1\r\n\"a,b\",3\r\n\"'\tx\",4\r\n",
            csv);
    }

    [Fact]
    public void A_chart_has_a_line_per_device_and_field_for_values_and_a_line_per_field_for_aggregates_counts_included()
    {
        var values = new List<JsonObject>
        {
            new() { ["$id"] = "a", ["$ts"] = "2026-01-01T00:00:00Z", ["t"] = 1.5, ["p"] = null },
            new() { ["$id"] = "b", ["$ts"] = "2026-01-01T00:00:01Z", ["t"] = 2.5, ["p"] = 7 },
            new() { ["$id"] = "a", ["$ts"] = "2026-01-01T00:00:02Z", ["t"] = 3.5, ["p"] = "text" },
        };
        var lines = ChartSeries.From(["$id", "$ts", "t", "p"], values);
        Assert.Equal(["a · t", "b · t", "b · p"], lines.Select(l => l.Name));
        Assert.Equal([1.5, 3.5], lines[0].Values);
        Assert.Equal(["2026-01-01T00:00:00Z", "2026-01-01T00:00:02Z"], lines[0].Times);

        var aggregates = new List<JsonObject>
        {
            new() { ["$ts"] = "2026-01-01T00:00:00Z", ["avg_t"] = 2.0, ["count_t"] = JsonValue.Create(3L) },
            new() { ["$ts"] = "2026-01-01T01:00:00Z", ["avg_t"] = 4.0, ["count_t"] = JsonValue.Create(5L) },
        };
        var fields = ChartSeries.From(["$ts", "avg_t", "count_t"], aggregates);
        Assert.Equal(["avg_t", "count_t"], fields.Select(l => l.Name));
        Assert.Equal([3.0, 5.0], fields[1].Values);
        Assert.Equal("$ts,avg_t,count_t\r\n2026-01-01T00:00:00Z,2,3\r\n2026-01-01T01:00:00Z,4,5\r\n", ExplorerCsv.Write(["$ts", "avg_t", "count_t"], aggregates));
    }

    /// <summary>
    /// Three boilers (two in north, one in south) and a group of the north ones; one message through the gateway creates
    /// the application's telemetry store, and a day of readings is written into it while the server is stopped
    /// (DuckDB admits one process), in the shape the writer stores: root telemetry and the probe component's.
    /// </summary>
    internal static async Task SeedAsync(CentrumServer server, HttpClient admin)
    {
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        var template = $$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Boiler","capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[
              {"@type":"Telemetry","name":"temperature","schema":"double"},
              {"@type":"Component","name":"probe","schema":{"@id":"dtmi:com:example:Probe;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"pressure","schema":"double"}]}}]}}
            """;
        var saved = await admin.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var keys = new Dictionary<string, string>();
        foreach (var (device, organization) in new[] { ("north-1", "north"), ("north-2", "north"), ("south-1", "south") })
        {
            keys[device] = await admin.CreateDeviceAsync(device, $$"""{"template":"{{Model}}","organizations":["{{organization}}"]}""");
        }

        var group = new JsonObject { ["displayName"] = "north-boilers", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{Model}\"", ["organizations"] = new JsonArray("north") };
        var grouped = await admin.PutAsync($"api/deviceGroups/north-boilers?{DeviceApi.Version}", CentrumServer.Json(group.ToJsonString()));
        Assert.True(grouped.IsSuccessStatusCode, await grouped.Content.ReadAsStringAsync());

        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "north-1", keys["north-1"], cleanSession: true));
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/north-1/messages/events/%24.ct=application%2Fjson")
                .WithPayload("""{"temperature":21}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync();
        }

        await server.StopAsync();
        using (var duck = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}"))
        {
            duck.Open();
            using (var insert = duck.CreateCommand())
            {
                insert.CommandText = $"""
                    INSERT INTO telemetry (seq, enqueued_time, device_id, module_id, component, name, value_number, value_json, modeled)
                    SELECT 1000 + (n * 1000 + r) * 2 + k, $start + to_microseconds(r * 600000000 + n * 7000000), id, NULL, component, name, x, CAST(x AS VARCHAR), true
                    FROM (SELECT r, d.n, d.id, f.k, f.component, f.name,
                                 CASE WHEN f.k = 0 THEN 20 + (r % 13) * 0.5 + d.n * 2.25 ELSE 1000 + (r * 7) % 11 + d.n * 3 END AS x
                          FROM range({Readings}) t(r),
                               (VALUES (0, 'north-1'), (1, 'north-2'), (2, 'south-1')) d(n, id),
                               (VALUES (0, NULL, 'temperature'), (1, 'probe', 'pressure')) f(k, component, name))
                    """;
                insert.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("start", DateTime.UtcNow.AddHours(-23)));
                Assert.Equal(Readings * 3 * 2, insert.ExecuteNonQuery());
            }

            using var checkpoint = duck.CreateCommand();
            checkpoint.CommandText = "CHECKPOINT";
            checkpoint.ExecuteNonQuery();
        }

        await server.StartAsync();
    }

    /// <summary>Template, fields and aggregations, window and range as the administrator's query has them.</summary>
    internal static async Task BuildAsync(IPage page)
    {
        await page.GetByTestId("explorer-template").SelectOptionAsync(Model);
        await page.GetByTestId("field-temperature").CheckAsync();
        await page.GetByTestId("aggregate-temperature").SelectOptionAsync("Avg");
        await page.GetByTestId("field-probe.pressure").CheckAsync();
        await page.GetByTestId("aggregate-probe.pressure").SelectOptionAsync("Max");
        await page.GetByTestId("explorer-window").SelectOptionAsync("PT1H");
        await page.GetByTestId("explorer-range").SelectOptionAsync("P1D");
    }

    /// <summary>Every row of the result table, page after page.</summary>
    private static async Task<List<string[]>> TableAsync(IPage page)
    {
        await Assertions.Expect(page.GetByTestId("explorer-table")).ToBeVisibleAsync();
        var rows = new List<string[]>();
        while (true)
        {
            var pageText = await page.GetByTestId("explorer-page").TextContentAsync();
            rows.AddRange(await page.GetByTestId("explorer-table").Locator("tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"));
            var next = page.GetByTestId("explorer-next");
            if (await next.IsDisabledAsync())
            {
                return rows;
            }

            await next.ClickAsync();
            await Assertions.Expect(page.GetByTestId("explorer-page")).Not.ToHaveTextAsync(pageText!);
        }
    }

    internal static void AssertRows(IReadOnlyList<JsonObject> expected, List<string[]> shown)
    {
        Assert.Equal(expected.Count, shown.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((string?)expected[i]["$ts"], shown[i][0]);
            AssertNumber(expected[i]["avg_temperature"], shown[i][1]);
            AssertNumber(expected[i]["max_probe_pressure"], shown[i][2]);
        }
    }

    /// <summary>A number shown as the query answered it; an hour with no reading of the field (the live message's, when it is alone in its hour) shows empty.</summary>
    private static void AssertNumber(JsonNode? expected, string shown)
    {
        if (expected is null)
        {
            Assert.Equal("", shown);
        }
        else
        {
            Assert.Equal((double)expected, double.Parse(shown, CultureInfo.InvariantCulture), 9);
        }
    }

    internal static async Task<IReadOnlyList<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }
}
