using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The device list and device creation pages against the real server: a device created on the page connects with the
/// connection string the page shows (the Node SDK, nothing added to the string) and is listed as connected; search and
/// filters narrow the list; a bulk action changes devices as REST then reports them; an organization-scoped person sees
/// only its organization's devices and is offered only the actions its role holds.
/// </summary>
public sealed class DevicePagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly TimeSpan DeviceTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_device_created_on_the_page_connects_with_the_connection_string_shown_and_is_listed_as_connected()
    {
        await using var server = await CentrumServer.StartAsync();
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);

        await browser.Page.GotoAsync("devices/new");
        await browser.WaitUntilInteractiveAsync();
        await Field(browser, "device-id").FillAsync("web-1");
        await Field(browser, "device-name").FillAsync("Boiler on the web");
        await browser.Page.GetByTestId("create-device").ClickAsync();
        var shown = browser.Page.GetByTestId("connection-string");
        await Assertions.Expect(shown).ToContainTextAsync("DeviceId=web-1");
        var connectionString = (await shown.TextContentAsync())!.Trim();

        // The page shows what REST's credentials operation answers, for the application's hub host.
        var credentials = JsonNode.Parse(await server.AdminHttp().GetStringAsync($"api/devices/web-1/credentials?{DeviceApi.Version}"))!;
        Assert.Equal($"HostName={server.HubHostName};DeviceId=web-1;SharedAccessKey={credentials["symmetricKey"]!["primaryKey"]}", connectionString);
        await Assertions.Expect(browser.Page.GetByTestId("id-scope")).ToHaveTextAsync((string)credentials["idScope"]!);
        await Assertions.Expect(browser.Page.GetByTestId("node-command")).ToContainTextAsync($"PROVISIONING_IDSCOPE='{credentials["idScope"]}'");

        // The host name is not in this machine's DNS: the device resolves it to the server, as a deployment's DNS would.
        await using var device = NodeDevice.Start(server, new
        {
            connectionString,
            action = "hold",
            resolve = new { domain = CentrumServer.HostName, address = server.Address.ToString() },
        });
        await device.WaitForEventAsync("open", DeviceTimeout);

        await browser.Page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        await Field(browser, "device-search").FillAsync("boiler on the");
        await Assertions.Expect(browser.Page.GetByTestId("status-web-1")).ToContainTextAsync("connected · enabled");
        await Assertions.Expect(browser.Page.GetByTestId("status-web-1")).Not.ToContainTextAsync("disconnected");
    }

    [Fact]
    public async Task Search_and_filters_narrow_the_list_and_bulk_disable_reaches_the_rest_api()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var (id, name, simulated) in new[] { ("pump-1", "Cellar pump", false), ("pump-2", "Roof pump", true), ("fan-1", "Hall fan", false) })
        {
            var created = await admin.PutAsync($"api/devices/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{name}}","simulated":{{(simulated ? "true" : "false")}}}"""));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await browser.Page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–3 of 3");

        await Field(browser, "device-search").FillAsync("PUMP");
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–2 of 2");
        await Assertions.Expect(browser.Page.GetByTestId("status-fan-1")).ToHaveCountAsync(0);

        await browser.Page.GetByTestId("select-pump-1").CheckAsync();
        await browser.Page.GetByTestId("select-pump-2").CheckAsync();
        await Assertions.Expect(browser.Page.GetByTestId("selected-count")).ToHaveTextAsync("2 selected");
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("bulk-result-pump-1")).ToContainTextAsync("done");
        await Assertions.Expect(browser.Page.GetByTestId("bulk-result-pump-2")).ToContainTextAsync("done");

        foreach (var (id, enabled) in new[] { ("pump-1", false), ("pump-2", false), ("fan-1", true) })
        {
            var device = JsonNode.Parse(await admin.GetStringAsync($"api/devices/{id}?{DeviceApi.Version}"))!;
            Assert.Equal(enabled, (bool)device["enabled"]!);
        }

        // The list follows: the disabled devices show as such, and a filter on "enabled" leaves none of them.
        await Assertions.Expect(browser.Page.GetByTestId("status-pump-1")).ToContainTextAsync("disabled");
        await Field(browser, "device-search").FillAsync("");
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–3 of 3");
        await browser.Page.GetByTestId("filter-enabled").ClickAsync();
        await browser.Page.Locator(".mud-popover-open").GetByText("No", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–2 of 2");
        await Assertions.Expect(browser.Page.GetByTestId("status-fan-1")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_organization_scoped_operator_sees_only_its_organizations_devices_and_is_not_offered_delete()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        foreach (var (deviceId, organization) in new[] { ("n-1", "north"), ("s-1", "south") })
        {
            var created = await admin.PutAsync($"api/devices/{deviceId}?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["{{organization}}"]}"""));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.OrgOperator);
        var id = email.Split('@')[0];
        var scoped = await admin.PutAsync($"api/users/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"{{email}}","roles":[{"role":"{{BuiltInRoles.OrgOperator}}","organization":"north"}]}"""));
        Assert.True(scoped.IsSuccessStatusCode, await scoped.Content.ReadAsStringAsync());
        await browser.SignInAsync(email);

        await browser.Page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("device-count")).ToHaveTextAsync("1–1 of 1");
        await Assertions.Expect(browser.Page.GetByTestId("status-n-1")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByTestId("status-s-1")).ToHaveCountAsync(0);

        await browser.Page.GetByTestId("select-n-1").CheckAsync();
        await Assertions.Expect(browser.Page.GetByTestId("bulk-actions")).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>The input of a MudBlazor text field marked with <paramref name="testId"/> (on the field or its input).</summary>
    private static ILocator Field(BrowserSession browser, string testId) =>
        browser.Page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
