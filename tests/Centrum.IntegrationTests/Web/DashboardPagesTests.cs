using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The dashboard pages against the real server, over simulated devices sending every second: a dashboard built in the
/// browser with a line chart and a last-known-value tile over a device group shows values that keep updating and reads
/// back through REST with the same tiles and positions; a dashboard made through REST renders on the grid where REST
/// placed its tiles; a save over a concurrent change is refused with a clear message; an organization-scoped person's
/// tiles omit other organizations' devices.
/// </summary>
public sealed class DashboardPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string TemplateId = "dtmi:com:example:DashThermostat;1";

    private static readonly Dictionary<string, string> Settings = new() { ["Centrum:Simulation:TelemetryInterval"] = "00:00:01" };

    private const string Template = $$"""
        {
          "@type": ["ModelDefinition", "DeviceModel"],
          "displayName": "Dashboard thermostat",
          "capabilityModel": {
            "@context": "dtmi:dtdl:context;2",
            "@id": "{{TemplateId}}",
            "@type": "Interface",
            "contents": [ { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" } ]
          }
        }
        """;

    /// <summary>A dashboard as IoT Central's REST API takes it: a device count, a last known value, markdown holding HTML, and a map over a telemetry that holds no positions.</summary>
    private const string RestDashboard = """
        {
          "displayName": "Made through REST",
          "organizations": ["north", "south"],
          "tiles": [
            { "displayName": "Count", "x": 0, "y": 0, "width": 2, "height": 2, "configuration": { "type": "deviceCount", "group": "thermostats" } },
            { "displayName": "Latest", "x": 2, "y": 0, "width": 4, "height": 2,
              "configuration": { "type": "lkv", "group": "thermostats", "devices": [], "capabilities": [ { "capability": "temperature", "aggregateFunction": "avg" } ] } },
            { "displayName": "Notes", "x": 0, "y": 2, "width": 3, "height": 1, "configuration": { "type": "markdown", "description": "<b>bold</b> stays text" } },
            { "displayName": "Where", "x": 3, "y": 2, "width": 2, "height": 2,
              "configuration": { "type": "mapTelemetry", "group": "thermostats", "devices": [], "capabilities": [ { "capability": "temperature", "aggregateFunction": "avg" } ] } }
          ]
        }
        """;

    [Fact]
    public async Task A_dashboard_built_in_the_browser_updates_live_and_round_trips_with_rest_and_an_organization_person_sees_only_its_devices()
    {
        await using var server = await CentrumServer.StartAsync(Settings);
        var admin = server.AdminHttp();
        Assert.True((await admin.PutAsync($"api/deviceTemplates/{TemplateId}?{DeviceApi.Version}", CentrumServer.Json(Template))).IsSuccessStatusCode);
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Site"}"""))).StatusCode);
            var device = await admin.PutAsync(
                $"api/devices/sim-{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["{{organization}}"],"template":"{{TemplateId}}","simulated":true}"""));
            Assert.True(device.IsSuccessStatusCode, await device.Content.ReadAsStringAsync());
        }

        var group = await admin.PutAsync($"api/deviceGroups/thermostats?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["displayName"] = "Thermostats", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{TemplateId}\"", ["organizations"] = new JsonArray("north", "south"),
        }.ToJsonString()));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        var made = await admin.PutAsync($"api/dashboards/restmade?{Preview}", CentrumServer.Json(RestDashboard));
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());

        await using (var browser = await chromium.OpenAsync(server))
        {
            await browser.SignInAsAsync(BuiltInRoles.AppOperator);
            var id = await BuildAsync(browser);
            await AssertLiveAsync(browser);
            await AssertReadsBackAsync(admin, browser, id);
            await AssertConcurrentChangeIsReportedAsync(admin, browser, id);
            await AssertRendersRestDashboardAsync(browser, ["sim-north", "sim-south"]);
        }

        // An operator of the north sees the same dashboard with the north's device only.
        await using var northern = await chromium.OpenAsync(server);
        await northern.SignInAsync(await northern.CreateMemberAsync(BuiltInRoles.OrgOperator, organization: "north"));
        await AssertRendersRestDashboardAsync(northern, ["sim-north"]);
    }

    /// <summary>Makes an application dashboard from the list, adds a line chart and a last-known-value tile over the group, places them and saves; answers its id.</summary>
    private static async Task<string> BuildAsync(BrowserSession browser)
    {
        var page = browser.Page;
        await browser.NavLink("Dashboards").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Field(browser, "dashboard-name").FillAsync("Built in the browser");
        await page.GetByTestId("new-app-dashboard").ClickAsync();
        await page.WaitForURLAsync("**/dashboards/*");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Built in the browser");
        await page.GetByTestId("edit-dashboard").ClickAsync();

        foreach (var (kind, name) in new[] { ("lineChart", "Temperatures"), ("lkv", "Now") })
        {
            await page.GetByTestId("tile-kind").SelectOptionAsync(kind);
            await page.GetByTestId("tile-name").FillAsync(name);
            await page.GetByTestId("tile-group").SelectOptionAsync("thermostats");
            await Assertions.Expect(page.GetByTestId("tile-capability").Locator("option[value='temperature']")).ToHaveCountAsync(1);
            await page.GetByTestId("tile-capability").SelectOptionAsync("temperature");
            await page.GetByTestId("add-tile").ClickAsync();
            await Assertions.Expect(page.Locator($"[data-tile='{name}']")).ToBeVisibleAsync();
        }

        // The last-known-value tile went below the chart (0, 2); it is moved beside it and made wider.
        var now = page.Locator("[data-tile='Now']");
        await now.GetByTestId("move-up").ClickAsync();
        await now.GetByTestId("move-up").ClickAsync();
        await now.GetByTestId("move-right").ClickAsync();
        await now.GetByTestId("move-right").ClickAsync();
        await now.GetByTestId("wider").ClickAsync();
        await AssertPlacedAsync(now, 2, 0, 3, 2);
        await page.GetByTestId("save-dashboard").ClickAsync();
        await Assertions.Expect(page.GetByTestId("edit-dashboard")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("dashboard-error")).ToHaveCountAsync(0);
        return new Uri(page.Url).Segments[^1];
    }

    /// <summary>The chart's newest bucket and the last known values move on as the devices keep sending.</summary>
    private static async Task AssertLiveAsync(BrowserSession browser)
    {
        var page = browser.Page;
        var chart = page.Locator("[data-tile='Temperatures'] [data-testid='line-chart']");
        async Task<string> DrawnAsync() => await chart.EvaluateAsync<string>("e => (e.data && e.data[0] && e.data[0].x) ? JSON.stringify([e.data[0].x, e.data[0].y]) : ''");
        var first = "";
        await Wait.UntilAsync(async () => (first = await DrawnAsync()).Length > 0, TimeSpan.FromSeconds(60), "the line chart draws the devices' telemetry");
        await Wait.UntilAsync(async () => await DrawnAsync() != first, TimeSpan.FromSeconds(30), "the line chart's newest bucket moves as the devices send");

        foreach (var device in new[] { "sim-north", "sim-south" })
        {
            var value = page.Locator($"[data-tile='Now'] [data-testid='lkv-value'][data-device='{device}']");
            await Assertions.Expect(value).ToHaveCountAsync(1, new() { Timeout = 60_000 });
            var time = await value.GetAttributeAsync("data-time");
            await Assertions.Expect(value).Not.ToHaveAttributeAsync("data-time", time!, new() { Timeout = 30_000 });
            Assert.Matches(@"^-?\d+(\.\d+)?$", await value.Locator(".dashboard-lkv-value").InnerTextAsync());
        }
    }

    /// <summary>REST reads the saved dashboard with the tiles the page placed.</summary>
    private static async Task AssertReadsBackAsync(HttpClient admin, BrowserSession browser, string id)
    {
        var read = JsonNode.Parse(await admin.GetStringAsync($"api/dashboards/{id}?{Preview}"))!;
        Assert.Equal("Built in the browser", (string?)read["displayName"]);
        Assert.False((bool)read["personal"]!);
        var tiles = read["tiles"]!.AsArray().ToDictionary(t => (string)t!["displayName"]!);
        Assert.Equal(["Now", "Temperatures"], tiles.Keys.Order());
        Assert.Equal((0, 0, 2, 2), Placement(tiles["Temperatures"]!));
        Assert.Equal((2, 0, 3, 2), Placement(tiles["Now"]!));
        Assert.Equal("lineChart", (string?)tiles["Temperatures"]!["configuration"]!["type"]);
        Assert.Equal("thermostats", (string?)tiles["Temperatures"]!["configuration"]!["group"]);
        Assert.Equal("temperature", (string?)tiles["Now"]!["configuration"]!["capabilities"]![0]!["capability"]);
        foreach (var (name, tile) in tiles)
        {
            var (x, y, width, height) = Placement(tile!);
            await AssertPlacedAsync(browser.Page.Locator($"[data-tile='{name}']"), x, y, width, height);
        }
    }

    /// <summary>A save over a change made meanwhile through REST is refused with a clear message, and the page shows the other change.</summary>
    private static async Task AssertConcurrentChangeIsReportedAsync(HttpClient admin, BrowserSession browser, string id)
    {
        var page = browser.Page;
        await page.GetByTestId("edit-dashboard").ClickAsync();
        await page.Locator("[data-tile='Now']").GetByTestId("taller").ClickAsync();
        var renamed = await admin.PatchAsync($"api/dashboards/{id}?{Preview}", CentrumServer.Json("""{"displayName":"Renamed through REST"}"""));
        Assert.True(renamed.IsSuccessStatusCode, await renamed.Content.ReadAsStringAsync());
        await page.GetByTestId("save-dashboard").ClickAsync();
        await Assertions.Expect(page.GetByTestId("dashboard-error")).ToContainTextAsync("Someone else changed this dashboard");
        await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Renamed through REST");
        await AssertPlacedAsync(page.Locator("[data-tile='Now']"), 2, 0, 3, 2);
        var read = JsonNode.Parse(await admin.GetStringAsync($"api/dashboards/{id}?{Preview}"))!;
        Assert.Equal(2, (int)read["tiles"]!.AsArray().Single(t => (string)t!["displayName"]! == "Now")!["height"]!);
    }

    /// <summary>The REST-made dashboard on the grid where REST placed it, its tiles over exactly <paramref name="devices"/>.</summary>
    private static async Task AssertRendersRestDashboardAsync(BrowserSession browser, string[] devices)
    {
        var page = browser.Page;
        await page.GotoAsync("dashboards/restmade");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Made through REST");
        await AssertPlacedAsync(page.Locator("[data-tile='Count']"), 0, 0, 2, 2);
        await AssertPlacedAsync(page.Locator("[data-tile='Latest']"), 2, 0, 4, 2);
        await AssertPlacedAsync(page.Locator("[data-tile='Notes']"), 0, 2, 3, 1);
        await Assertions.Expect(page.Locator("[data-tile='Count']").GetByTestId("device-count")).ToHaveTextAsync(devices.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var values = page.Locator("[data-tile='Latest'] [data-testid='lkv-value']");
        foreach (var device in devices)
        {
            await Assertions.Expect(values.And(page.Locator($"[data-device='{device}']"))).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        }

        await Assertions.Expect(values).ToHaveCountAsync(devices.Length);

        // Markdown is shown as text: its HTML is not interpreted.
        await Assertions.Expect(page.Locator("[data-tile='Notes']").GetByTestId("markdown-text")).ToHaveTextAsync("<b>bold</b> stays text");
        await Assertions.Expect(page.Locator("[data-tile='Notes'] b")).ToHaveCountAsync(0);
        // A map over a telemetry that is no geopoint has no position to draw: it shows its empty state, not an error.
        await Assertions.Expect(page.Locator("[data-tile='Where']").GetByTestId("tile-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("tile-error")).ToHaveCountAsync(0);
    }

    private static async Task AssertPlacedAsync(ILocator tile, int x, int y, int width, int height)
    {
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-x", x.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-y", y.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-width", width.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-height", height.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The grid places it in those cells: CSS grid lines count from 1.
        var style = await tile.GetAttributeAsync("style");
        Assert.Contains($"grid-column: {x + 1} / span {width};", style, StringComparison.Ordinal);
        Assert.Contains($"grid-row: {y + 1} / span {height};", style, StringComparison.Ordinal);
    }

    private static (int X, int Y, int Width, int Height) Placement(JsonNode tile) => ((int)tile["x"]!, (int)tile["y"]!, (int)tile["width"]!, (int)tile["height"]!);

    private static ILocator Field(BrowserSession browser, string testId) =>
        browser.Page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
