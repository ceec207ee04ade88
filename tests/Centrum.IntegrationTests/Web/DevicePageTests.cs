using System.Net;
using System.Text.Json;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// A device's page in a real browser against the real server, with a Node SDK device: its telemetry arrives on the
/// chart without a reload, a written property goes from pending to accepted when the device acknowledges it, a command
/// shows its response, and an organization-scoped person cannot open a device outside its reach by its URL.
/// </summary>
public sealed class DevicePageTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Model = "dtmi:centrum:web:Thermostat;1";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string Template = """
        {"@type":["ModelDefinition","DeviceModel"],"displayName":"Thermostat","capabilityModel":{"@id":"dtmi:centrum:web:Thermostat;1","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[
          {"@type":["Telemetry","Temperature"],"name":"temperature","displayName":"Temperature","schema":"double","unit":"degreeCelsius"},
          {"@type":"Property","name":"targetTemperature","displayName":"Target temperature","schema":"double","writable":true},
          {"@type":"Property","name":"serialNumber","schema":"string"},
          {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"},"response":{"name":"result","schema":{"@type":"Object","fields":[{"name":"rebooted","schema":"boolean"}]}}}]}}
        """;

    [Fact]
    public async Task Telemetry_a_device_sends_appears_on_its_chart_without_a_reload()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await CreateDeviceAsync(server, "thermostat-1");
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await OpenDeviceAsync(browser, "thermostat-1");
        await browser.Page.EvaluateAsync("() => window.centrumNotReloaded = true");

        double[] sent = [21.5, 22.25, 19.75, 23];
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "thermostat-1", key),
            action = "device",
            messages = sent.Select(t => new { body = new { temperature = t, firmware = "1.2" }, contentType = "application/json", contentEncoding = "utf-8" }),
        });
        await device.WaitForEventAsync("ready", Timeout);

        // The chart's drawn values are what the device sent, in order, and the page was never reloaded.
        await Wait.UntilAsync(async () => (await ChartValuesAsync(browser, "temperature")).SequenceEqual(sent), Timeout, "the chart shows the four temperatures");
        Assert.True(await browser.Page.EvaluateAsync<bool>("() => window.centrumNotReloaded === true"));
        await Assertions.Expect(browser.Page.Locator("[data-telemetry=temperature] [data-testid=last-value]")).ToContainTextAsync("23");

        // The header and the tab bar: status chips, the template as a link to its page, and tabs a screen reader names as such.
        await Assertions.Expect(browser.Page.Locator("[data-telemetry=temperature] [data-testid=last-value]")).ToHaveTextAsync("23 °C");
        await Assertions.Expect(browser.Page.GetByTestId("connection")).ToHaveTextAsync("Connected");
        await Assertions.Expect(browser.Page.GetByTestId("chip-enabled")).ToHaveTextAsync("Enabled");
        await Assertions.Expect(browser.Page.GetByTestId("template")).ToHaveAttributeAsync("href", "templates/" + Uri.EscapeDataString(Model));
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Overview" })).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Tablist).GetByRole(AriaRole.Tab)).ToHaveCountAsync(5);

        // The raw data tab lists the messages with the field the template does not declare.
        await browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Raw data" }).ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("unmodeled").First).ToHaveTextAsync("firmware");
        await Assertions.Expect(browser.Page.Locator("[data-testid=raw-data] tbody tr")).ToHaveCountAsync(sent.Length);
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Raw data" })).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(browser.Page.GetByTestId("overview")).ToBeHiddenAsync();
        Assert.Empty(browser.ForeignRequests);
    }

    [Fact]
    public async Task A_written_property_goes_from_pending_to_accepted_when_the_device_acknowledges_it()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await CreateDeviceAsync(server, "thermostat-2");
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "thermostat-2", key),
            action = "device",
            twin = true,
            desired = true,
            ack = new { code = 200, description = "applied" },
        });
        await device.WaitForEventAsync("ready", Timeout);
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await OpenDeviceAsync(browser, "thermostat-2");

        await browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Properties" }).ClickAsync();
        var property = browser.Page.Locator("[data-property=targetTemperature]");
        await Assertions.Expect(property).ToHaveAttributeAsync("data-status", "NotSet");
        // Every state the property shows is recorded, however briefly it shows it.
        await browser.Page.EvaluateAsync("""
            () => {
              const element = document.querySelector('[data-property=targetTemperature]');
              window.centrumStates = [element.dataset.status];
              new MutationObserver(() => window.centrumStates.push(element.dataset.status)).observe(element, { attributes: true, attributeFilter: ['data-status'] });
            }
            """);
        await property.Locator("input[name=targetTemperature]").FillAsync("24.5");
        await property.GetByTestId("save-property").ClickAsync();

        await Assertions.Expect(property).ToHaveAttributeAsync("data-status", "Accepted", new() { Timeout = 30_000 });
        var states = await browser.Page.EvaluateAsync<string[]>("() => window.centrumStates");
        Assert.Equal(["NotSet", "Pending", "Accepted"], states.Distinct());
        await Assertions.Expect(property.GetByTestId("property-value")).ToContainTextAsync("24.5");
        var written = device.Events.Where(e => (string?)e["event"] == "desired" && e["delta"]?["targetTemperature"] is not null).ToList();
        Assert.Equal(24.5, (double)Assert.Single(written)["delta"]!["targetTemperature"]!);

        // A value that does not fit the schema is refused on the page, naming the field, and nothing is written.
        await property.Locator("input[name=targetTemperature]").FillAsync("warm");
        await property.GetByTestId("save-property").ClickAsync();
        await Assertions.Expect(property.GetByRole(AriaRole.Alert)).ToContainTextAsync("'Target temperature' takes a number");
        Assert.Single(device.Events, e => (string?)e["event"] == "desired" && e["delta"]?["targetTemperature"] is not null);
    }

    [Fact]
    public async Task A_command_run_from_the_page_shows_the_devices_response_and_its_history()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await CreateDeviceAsync(server, "thermostat-3");
        await using var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "thermostat-3", key),
            action = "device",
            methods = new { reboot = new { status = 200, payload = new { rebooted = true } } },
        });
        await device.WaitForEventAsync("ready", Timeout);
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await OpenDeviceAsync(browser, "thermostat-3");

        await browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Commands" }).ClickAsync();
        var command = browser.Page.Locator("[data-command=reboot]");
        await command.Locator("input[name=reboot]").FillAsync("3");
        await command.GetByTestId("run-command").ClickAsync();

        await Assertions.Expect(command.GetByTestId("command-response")).ToContainTextAsync("""200 {"rebooted":true}""", new() { Timeout = 30_000 });
        await Assertions.Expect(command.Locator("[data-testid=command-history] tbody tr")).ToHaveCountAsync(1);
        var called = device.Events.Single(e => (string?)e["event"] == "method");
        Assert.Equal(3, (int)called["payload"]!);
    }

    [Fact]
    public async Task An_organization_scoped_person_cannot_open_a_device_outside_its_reach_by_its_url()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        await CreateDeviceAsync(server, "north-1", "north");
        await CreateDeviceAsync(server, "south-1", "south");
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.OrgViewer);
        var member = await admin.PutAsync(
            $"api/users/{email.Split('@')[0]}?{DeviceApi.Version}",
            CentrumServer.Json($$"""{"type":"email","email":"{{email}}","roles":[{"role":"{{BuiltInRoles.OrgViewer}}","organization":"north"}]}"""));
        Assert.True(member.IsSuccessStatusCode, await member.Content.ReadAsStringAsync());
        await browser.SignInAsync(email);

        // Within reach: the device, and no action the viewer's role does not hold.
        await OpenDeviceAsync(browser, "north-1");
        await browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Properties" }).ClickAsync();
        await Assertions.Expect(browser.Page.Locator("[data-property=targetTemperature]")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByTestId("save-property")).ToHaveCountAsync(0);
        await browser.Page.GetByRole(AriaRole.Tab, new() { Name = "Commands" }).ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("run-command")).ToHaveCountAsync(0);

        // Outside reach, by its URL: not found, as REST answers, and nothing of it shown.
        await browser.Page.GotoAsync("devices/south-1");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-not-found")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.Locator("[data-testid=overview]")).ToHaveCountAsync(0);
        Assert.Equal(404, (await browser.Page.APIRequest.GetAsync($"api/devices/south-1?{DeviceApi.Version}")).Status);
    }

    private static async Task<string> CreateDeviceAsync(CentrumServer server, string deviceId, string? organization = null)
    {
        var admin = server.AdminHttp();
        var template = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Model)}?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        var organizations = organization is null ? "" : $$""","organizations":["{{organization}}"]""";
        return await admin.CreateDeviceAsync(deviceId, $$"""{"displayName":"{{deviceId}}","template":"{{Model}}"{{organizations}}}""");
    }

    private static async Task OpenDeviceAsync(BrowserSession browser, string deviceId)
    {
        await browser.Page.GotoAsync($"devices/{deviceId}");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = deviceId })).ToBeVisibleAsync();
    }

    /// <summary>The values plotly drew on a telemetry's chart (plotly keeps the drawn data on the plot's element).</summary>
    private static async Task<double[]> ChartValuesAsync(BrowserSession browser, string key)
    {
        var values = await browser.Page.EvaluateAsync<JsonElement>($"() => document.getElementById('chart-{key}')?.data?.[0]?.y ?? []");
        return [.. values.EnumerateArray().Select(v => v.GetDouble())];
    }
}
