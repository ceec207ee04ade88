using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Simulated devices created from the device list against the real server: the page creates them through the simulation
/// area with the caller's reach, shows the area's own limit as it words it, the devices are listed under the "simulated"
/// filter, and their telemetry (sent over MQTT through the gateway from inside the server) is what POST /api/query
/// returns, within the ranges their template's semantic types and schemas give; an organization's operator places them
/// only within its reach.
/// </summary>
public sealed class SimulatedDevicePagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string TemplateId = "dtmi:com:example:WebSimThermostat;1";
    private const int Budget = 4;

    /// <summary>
    /// A message a second, so the query has rows within the wait; a budget of four simulated devices, so a second
    /// creation of three meets the area's limit.
    /// </summary>
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Centrum:Simulation:TelemetryInterval"] = "00:00:01",
        ["Centrum:Simulation:MaxDevicesPerApplication"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly string[] Modes = ["heat", "cool", "off"];

    private static readonly System.Text.Json.JsonValueKind[] Booleans = [System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False];

    private static readonly string[] Created = ["websimthermostat-sim-1", "websimthermostat-sim-2", "websimthermostat-sim-3"];

    private const string Template = $$"""
        {
          "@type": ["ModelDefinition", "DeviceModel"],
          "displayName": "Web thermostat",
          "capabilityModel": {
            "@context": "dtmi:dtdl:context;2",
            "@id": "{{TemplateId}}",
            "@type": "Interface",
            "contents": [
              { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" },
              { "@type": ["Telemetry", "RelativeHumidity"], "name": "humidity", "schema": "integer", "unit": "percent" },
              { "@type": "Telemetry", "name": "heating", "schema": "boolean" },
              { "@type": "Telemetry", "name": "mode", "schema": {
                  "@type": "Enum", "valueSchema": "string",
                  "enumValues": [ { "name": "heat", "enumValue": "heat" }, { "name": "cool", "enumValue": "cool" }, { "name": "off", "enumValue": "off" } ] } }
            ]
          }
        }
        """;

    [Fact]
    public async Task Simulated_devices_created_from_the_device_list_are_listed_as_simulated_and_the_query_api_returns_their_plausible_telemetry()
    {
        await using var server = await CentrumServer.StartAsync(Settings);
        var admin = server.AdminHttp();
        var saved = await admin.PutAsync($"api/deviceTemplates/{TemplateId}?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        // A device of someone else's that is not simulated: the filter leaves it out.
        Assert.True((await admin.PutAsync($"api/devices/plain-1?{DeviceApi.Version}", CentrumServer.Json("{}"))).IsSuccessStatusCode);

        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await browser.Page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        await browser.Page.GetByTestId("new-simulated-devices").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("simulation-limits")).ToContainTextAsync($"at most {Budget} (0 now)");

        // The only template is chosen already; the count is typed.
        await Assertions.Expect(browser.Page.GetByTestId("simulated-template")).ToContainTextAsync("Web thermostat");
        await Field(browser, "simulated-count").FillAsync("3");
        await browser.Page.GetByTestId("create-simulated").ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("simulated-created")).ToContainTextAsync("3 simulated devices created");
        foreach (var id in Created)
        {
            await Assertions.Expect(browser.Page.GetByTestId("simulated-" + id)).ToBeVisibleAsync();
        }

        await Assertions.Expect(browser.Page.GetByTestId("simulation-limits")).ToContainTextAsync($"at most {Budget} (3 now)");

        // Three more would pass the application's budget: refused as the simulation area words it, nothing created.
        await browser.Page.GetByTestId("create-simulated").ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("simulated-error")).ToContainTextAsync(
            $"The application has 3 simulated devices and may have {Budget} (Centrum:Simulation:MaxDevicesPerApplication)");
        var all = JsonNode.Parse(await admin.GetStringAsync($"api/devices?{DeviceApi.Version}"))!["value"]!.AsArray();
        Assert.Equal(Created.Append("plain-1").Order(), all.Select(d => (string)d!["id"]!).Order());
        Assert.All(all.Where(d => (string)d!["id"]! != "plain-1"), d =>
        {
            Assert.True((bool)d!["simulated"]!);
            Assert.Equal(TemplateId, (string?)d["template"]);
        });

        // The device list's "simulated" filter shows exactly them.
        await browser.Page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–4 of 4");
        await browser.Page.GetByTestId("filter-simulated").ClickAsync();
        await browser.Page.Locator(".mud-popover-open").GetByText("Yes", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–3 of 3");
        await Assertions.Expect(browser.Page.GetByTestId("status-plain-1")).ToHaveCountAsync(0);
        foreach (var id in Created)
        {
            await Assertions.Expect(browser.Page.GetByTestId("status-" + id)).ToContainTextAsync("simulated");
        }

        // Each device's telemetry arrives through the gateway and the query API returns it, within its schema's range.
        var query = $"SELECT $id, temperature, humidity, heating, mode FROM {TemplateId} WHERE WITHIN_WINDOW(PT1H)";
        IReadOnlyList<JsonObject> rows = [];
        await Wait.UntilAsync(async () =>
        {
            rows = await QueryAsync(admin, query);
            return Created.All(id => rows.Count(r => (string?)r["$id"] == id) >= 2);
        }, TimeSpan.FromSeconds(60), "two rows of each simulated device");
        Assert.All(rows, row =>
        {
            Assert.Contains((string?)row["$id"], Created);
            Assert.InRange((double)row["temperature"]!, 15, 35);
            Assert.InRange((long)row["humidity"]!, 0, 100);
            Assert.Contains((string?)row["mode"], Modes);
            Assert.Contains(row["heating"]!.GetValueKind(), Booleans);
        });

        // An operator of one organization creates them only within its reach, as REST's device creation allows.
        await using var northern = await chromium.OpenAsync(server);
        await northern.SignInAsync(await northern.CreateMemberAsync(BuiltInRoles.OrgOperator, organization: "north"));
        await northern.Page.GotoAsync("devices/new/simulated");
        await northern.WaitUntilInteractiveAsync();
        await Field(northern, "simulated-count").FillAsync("1");
        await Field(northern, "simulated-organizations").FillAsync("south");
        await northern.Page.GetByTestId("create-simulated").ClickAsync();
        await Assertions.Expect(northern.Page.GetByTestId("simulated-error")).ToContainTextAsync("organizations within your reach");
        Assert.Equal(4, JsonNode.Parse(await admin.GetStringAsync($"api/devices?{DeviceApi.Version}"))!["value"]!.AsArray().Count);
        await Field(northern, "simulated-organizations").FillAsync("north");
        await northern.Page.GetByTestId("create-simulated").ClickAsync();
        await Assertions.Expect(northern.Page.GetByTestId("simulated-websimthermostat-sim-4")).ToBeVisibleAsync();
        var placed = JsonNode.Parse(await admin.GetStringAsync($"api/devices/websimthermostat-sim-4?{DeviceApi.Version}"))!;
        Assert.Equal(["north"], placed["organizations"]!.AsArray().Select(o => (string)o!));
        Assert.True((bool)placed["simulated"]!);
    }

    private static async Task<IReadOnlyList<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }

    private static ILocator Field(BrowserSession browser, string testId) =>
        browser.Page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
