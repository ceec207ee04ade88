using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The device group pages against the real server: a filter built on the page previews exactly the devices the groups
/// area matches, the saved group reads back through REST with the same members, an invalid filter shows the area's own
/// message (the one REST answers), the organization picker saves the organizations REST reads back, and an
/// organization-scoped operator's preview omits other organizations' devices and its picker other organizations.
/// </summary>
public sealed class GroupPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Pump = "dtmi:com:example:GroupPump;1";
    private const string Valve = "dtmi:com:example:GroupValve;1";

    [Fact]
    public async Task A_filter_built_on_the_page_previews_its_devices_and_saves_a_group_rest_reads_back()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var (organization, name) in new[] { ("north", "North"), ("south", "South") })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{name}}"}"""))).StatusCode);
        }

        foreach (var (template, name) in new[] { (Pump, "Group pump"), (Valve, "Group valve") })
        {
            var created = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(template)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
                {"displayName":"{{{name}}}","capabilityModel":{"@id":"{{{template}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","schema":"double"}]}}
                """));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        foreach (var (id, template, organization) in new[] { ("pump-n", Pump, "north"), ("pump-s", Pump, "south"), ("valve-n", Valve, "north") })
        {
            var device = await admin.PutAsync($"api/devices/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["{{organization}}"],"template":"{{template}}"}"""));
            Assert.True(device.IsSuccessStatusCode, await device.Content.ReadAsStringAsync());
        }

        var pumps = $"SELECT * FROM devices WHERE $template = \"{Pump}\"";
        const string invalid = "SELECT * FROM devices WHERE";

        // The message REST answers for the invalid filter is the one the page must show.
        var refused = await admin.PutAsync($"api/deviceGroups/bad?{DeviceApi.Version}", CentrumServer.Json(new JsonObject { ["displayName"] = "Bad", ["filter"] = invalid }.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var restMessage = (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["message"]!;

        await using (var browser = await chromium.OpenAsync(server))
        {
            await browser.SignInAsAsync(BuiltInRoles.AppOperator);
            await browser.NavLink("Device groups").ClickAsync();
            await browser.Page.GetByTestId("new-group").ClickAsync();
            await browser.WaitUntilInteractiveAsync();
            await Field(browser, "group-id").FillAsync("pumps");
            await Field(browser, "group-name").FillAsync("All pumps");
            await Field(browser, "group-filter").FillAsync(pumps);
            await AssertPreviewAsync(browser, "pump-n", "pump-s");

            await Field(browser, "group-filter").FillAsync(invalid);
            await Assertions.Expect(browser.Page.GetByTestId("preview-error")).ToHaveTextAsync(restMessage);
            await Assertions.Expect(browser.Page.Locator("[data-preview-device]")).ToHaveCountAsync(0);

            // The builder writes the filter for a template and a condition; the preview follows it.
            await browser.Page.GetByTestId("builder-template").ClickAsync();
            await browser.Page.Locator(".mud-popover-open").GetByText("Group pump", new() { Exact = true }).ClickAsync();
            await browser.Page.GetByTestId("builder-add-condition").ClickAsync();
            await Field(browser, "builder-field-0").FillAsync("$displayName");
            await ChooseAsync(browser, "builder-operator-0", "!=");
            await Field(browser, "builder-value-0").FillAsync("pump-s");
            await browser.Page.GetByTestId("builder-apply").ClickAsync();
            await Assertions.Expect(Field(browser, "group-filter")).ToHaveValueAsync($"SELECT * FROM devices WHERE $template = \"{Pump}\" AND $displayName != \"pump-s\"");
            await AssertPreviewAsync(browser, "pump-n");

            await Field(browser, "group-filter").FillAsync(pumps);
            await AssertPreviewAsync(browser, "pump-n", "pump-s");

            // The organization picker offers the organizations by name; the group is saved with both.
            await browser.Page.GetByTestId("group-organizations").ClickAsync();
            var choices = browser.Page.Locator(".mud-popover-open");
            await choices.GetByText("North", new() { Exact = true }).ClickAsync();
            await choices.GetByText("South", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(Field(browser, "group-organizations")).ToHaveValueAsync("North, South");
            // Escape closes the open list; a key pressed while the circuit still renders the last pick can be missed.
            await Wait.UntilAsync(async () =>
            {
                if (await choices.CountAsync() == 0)
                {
                    return true;
                }

                await browser.Page.Keyboard.PressAsync("Escape");
                return false;
            }, TimeSpan.FromSeconds(10), "the organization list closes");
            await AssertPreviewAsync(browser, "pump-n", "pump-s");
            await browser.Page.GetByTestId("save-group").ClickAsync();
            await browser.Page.WaitForURLAsync("**/device-groups/pumps");
            await Assertions.Expect(browser.Page.Locator("[data-member]")).ToHaveCountAsync(2);
            await Assertions.Expect(browser.Page.Locator("[data-member='pump-n'] a")).ToHaveAttributeAsync("href", "devices/pump-n");

            var group = await admin.GetJsonAsync("api/deviceGroups/pumps");
            Assert.Equal("All pumps", (string?)group["displayName"]);
            Assert.Equal(pumps, (string?)group["filter"]);
            Assert.Equal(["north", "south"], group["organizations"]!.AsArray().Select(o => (string?)o).Order());
            var members = (await admin.GetJsonAsync("api/deviceGroups/pumps/devices"))["value"]!.AsArray().Select(d => (string?)d!["id"]).Order();
            Assert.Equal(["pump-n", "pump-s"], members);

            // The list shows the saved group with its member count.
            await browser.NavLink("Device groups").ClickAsync();
            await Assertions.Expect(browser.Page.GetByTestId("count-pumps")).ToHaveTextAsync("2");

            // Rename on the group's page, then delete it with a confirming click.
            await browser.Page.Locator("[data-group='pumps'] a").ClickAsync();
            await Assertions.Expect(browser.Page.GetByTestId("group-title")).ToHaveTextAsync("All pumps");
            await Field(browser, "group-name").FillAsync("Every pump");
            await browser.Page.GetByTestId("save-group").ClickAsync();
            await Assertions.Expect(browser.Page.GetByTestId("group-title")).ToHaveTextAsync("Every pump");
            Assert.Equal("Every pump", (string?)(await admin.GetJsonAsync("api/deviceGroups/pumps"))["displayName"]);

            await browser.Page.GetByTestId("delete-group").ClickAsync();
            await browser.Page.GetByTestId("confirm-delete").ClickAsync();
            await browser.Page.WaitForURLAsync("**/device-groups");
            await Assertions.Expect(browser.Page.Locator("[data-group='pumps']")).ToHaveCountAsync(0);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/deviceGroups/pumps?{DeviceApi.Version}")).StatusCode);
        }

        // An operator of the north organization previews only north's devices under the same filter.
        await using (var scoped = await chromium.OpenAsync(server))
        {
            var email = await scoped.CreateMemberAsync(BuiltInRoles.OrgOperator, organization: "north");
            await scoped.SignInAsync(email);
            await scoped.Page.GotoAsync("device-groups/new");
            await scoped.WaitUntilInteractiveAsync();
            await Field(scoped, "group-filter").FillAsync(pumps);
            await AssertPreviewAsync(scoped, "pump-n");

            // Its organization picker offers only the organizations within its reach.
            await scoped.Page.GetByTestId("group-organizations").ClickAsync();
            var choices = scoped.Page.Locator(".mud-popover-open");
            await Assertions.Expect(choices.GetByText("North", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(choices.GetByText("South", new() { Exact = true })).ToHaveCountAsync(0);
        }
    }

    private static async Task AssertPreviewAsync(BrowserSession browser, params string[] devices)
    {
        var rows = browser.Page.Locator("[data-preview-device]");
        await Assertions.Expect(rows).ToHaveCountAsync(devices.Length);
        foreach (var device in devices)
        {
            await Assertions.Expect(browser.Page.Locator($"[data-preview-device='{device}']")).ToBeVisibleAsync();
        }
    }

    /// <summary>
    /// Picks an item of a select's list and waits until the select shows it. On a loaded machine the click on the item
    /// can land while the list is still being drawn and choose nothing; the choice is made again then, up to 3 times.
    /// </summary>
    private static async Task ChooseAsync(BrowserSession browser, string testId, string item)
    {
        for (var attempt = 1; ; attempt++)
        {
            await browser.Page.GetByTestId(testId).ClickAsync();
            await browser.Page.Locator(".mud-popover-open").GetByText(item, new() { Exact = true }).ClickAsync();
            try
            {
                await Assertions.Expect(browser.Page.GetByTestId(testId)).ToContainTextAsync(item, new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                // Not chosen: open the list again.
            }
        }
    }

    private static ILocator Field(BrowserSession browser, string testId) =>
        browser.Page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea").First;
}
