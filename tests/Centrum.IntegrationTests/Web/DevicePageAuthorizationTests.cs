using System.Net;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Web.Pages.Devices;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The device pages in the authorization matrix: each thing they do needs the permission REST's same operation needs
/// (endpoint-permissions.txt), and each predefined role is offered exactly the actions role-permissions.txt gives it,
/// so a page cannot do what the role cannot: the device list's bulk actions and creation, and the device view's
/// property writes (writable and cloud), command runs and connection details.
/// </summary>
public sealed class DevicePageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>The REST operation each bulk action performs on each device.</summary>
    private static readonly Dictionary<DeviceBulkActionKind, string> RestOperations = new()
    {
        [DeviceBulkActionKind.Enable] = "PATCH /api/devices/{deviceId}",
        [DeviceBulkActionKind.Disable] = "PATCH /api/devices/{deviceId}",
        [DeviceBulkActionKind.Approve] = "PATCH /api/devices/{deviceId}",
        [DeviceBulkActionKind.AssignTemplate] = "PATCH /api/devices/{deviceId}",
        [DeviceBulkActionKind.Delete] = "DELETE /api/devices/{deviceId}",
    };

    /// <summary>The button that offers each bulk action.</summary>
    private static readonly Dictionary<DeviceBulkActionKind, string> Buttons = new()
    {
        [DeviceBulkActionKind.Enable] = "Enable",
        [DeviceBulkActionKind.Disable] = "Disable",
        [DeviceBulkActionKind.Approve] = "Approve",
        [DeviceBulkActionKind.AssignTemplate] = "Assign template",
        [DeviceBulkActionKind.Delete] = "Delete",
    };

    [Fact]
    public void Each_thing_the_device_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["GET /api/devices/"], DevicePagePermissions.List.ToString());
        Assert.Equal(rest["PUT /api/devices/{deviceId}"], DevicePagePermissions.Create.ToString());
        Assert.Equal(rest["GET /api/devices/{deviceId}/credentials"], DevicePagePermissions.ConnectionDetails.ToString());
        Assert.Equal(RestOperations.Keys.Order(), DevicePagePermissions.Actions.Order());
        Assert.All(DevicePagePermissions.Actions, kind => Assert.Equal(rest[RestOperations[kind]], DevicePagePermissions.For(kind).ToString()));
        Assert.Equal(rest["GET /devices"], DevicePagePermissions.List.ToString());
        Assert.Equal(rest["GET /devices/new"], DevicePagePermissions.Create.ToString());
        Assert.Equal(rest["PUT /api/devices/{deviceId}"], DevicePagePermissions.CreateSimulated.ToString());
        Assert.Equal(rest["GET /devices/new/simulated"], DevicePagePermissions.CreateSimulated.ToString());
        Assert.Equal(rest["GET /api/devices/{deviceId}/telemetry/{telemetryName}"], DevicePagePermissions.ReadData.ToString());
        Assert.Equal(rest["PATCH /api/devices/{deviceId}/properties"], DevicePagePermissions.WriteProperty.ToString());
        Assert.Equal(rest["PATCH /api/devices/{deviceId}/components/{componentName}/properties"], DevicePagePermissions.WriteProperty.ToString());
        Assert.Equal(rest["PATCH /api/devices/{deviceId}/properties"], DevicePagePermissions.EditCloudProperty.ToString());
        Assert.Equal(rest["POST /api/devices/{deviceId}/commands/{commandName}"], DevicePagePermissions.RunCommand.ToString());
        Assert.Equal(rest["POST /api/devices/{deviceId}/components/{componentName}/commands/{commandName}"], DevicePagePermissions.RunCommand.ToString());
    }

    /// <summary>A template with one of each thing the device view offers to do: a writable property, a cloud property, a command.</summary>
    private const string Template = """
        {
          "@type": ["ModelDefinition", "DeviceModel"],
          "displayName": "Pump",
          "capabilityModel": {
            "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
            "@id": "dtmi:com:example:MatrixPump;1",
            "@type": "Interface",
            "contents": [
              { "@type": "Telemetry", "name": "flow", "schema": "double" },
              { "@type": "Property", "name": "targetFlow", "schema": "double", "writable": true },
              { "@type": ["Property", "Cloud"], "name": "site", "schema": "string" },
              { "@type": "Command", "name": "flush", "request": { "name": "seconds", "schema": "integer" } }
            ]
          }
        }
        """;

    [Fact]
    public async Task Each_role_is_offered_exactly_the_device_actions_it_holds()
    {
        var table = PermissionTables.Holders;
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var template = await admin.PutAsync($"api/deviceTemplates/dtmi:com:example:MatrixPump;1?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        var created = await admin.PutAsync($"api/devices/n-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north"],"template":"dtmi:com:example:MatrixPump;1"}"""));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);

            await browser.SignInAsync(email);
            await browser.Page.GotoAsync("devices");
            await browser.WaitUntilInteractiveAsync();
            await browser.Page.GetByTestId("select-n-1").CheckAsync();
            foreach (var (kind, button) in Buttons)
            {
                var offered = browser.Page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true });
                var holds = table[DevicePagePermissions.For(kind).ToString()].Contains(role);
                await Assertions.Expect(offered).ToHaveCountAsync(holds ? 1 : 0, new() { Timeout = 10_000 });
            }

            var mayCreate = table[DevicePagePermissions.Create.ToString()].Contains(role);
            await Assertions.Expect(browser.Page.GetByTestId("new-device")).ToHaveCountAsync(mayCreate ? 1 : 0);
            var mayCreateSimulated = table[DevicePagePermissions.CreateSimulated.ToString()].Contains(role);
            await Assertions.Expect(browser.Page.GetByTestId("new-simulated-devices")).ToHaveCountAsync(mayCreateSimulated ? 1 : 0);

            await AssertDeviceViewActionsAsync(browser, role, table);
        }
    }

    /// <summary>The device view of n-1 offers the role exactly the actions it holds, and what it offers works.</summary>
    private static async Task AssertDeviceViewActionsAsync(BrowserSession browser, string role, IReadOnlyDictionary<string, IReadOnlySet<string>> table)
    {
        bool Holds(Permission permission) => table[permission.ToString()].Contains(role);
        var page = browser.Page;
        await page.GotoAsync("devices/n-1");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("Disconnected");

        await Assertions.Expect(page.GetByTestId("overview")).ToContainTextAsync(Holds(DevicePagePermissions.ReadData) ? "flow" : "You may not read this device's data", new() { IgnoreCase = true });
        var connect = page.GetByTestId("show-connection");
        await Assertions.Expect(connect).ToHaveCountAsync(Holds(DevicePagePermissions.ConnectionDetails) ? 1 : 0);
        if (Holds(DevicePagePermissions.ConnectionDetails))
        {
            await connect.ClickAsync();
            await Assertions.Expect(page.GetByTestId("connection-string")).ToContainTextAsync("DeviceId=n-1;SharedAccessKey=");
        }

        await page.Locator("button[data-tab='Properties']").ClickAsync();
        var writable = page.Locator("[data-property='targetFlow']");
        var cloud = page.Locator("[data-property='site']");
        await Assertions.Expect(writable).ToBeVisibleAsync();
        await Assertions.Expect(cloud).ToBeVisibleAsync();
        await Assertions.Expect(writable.GetByTestId("save-property")).ToHaveCountAsync(Holds(DevicePagePermissions.WriteProperty) ? 1 : 0);
        await Assertions.Expect(cloud.GetByTestId("save-property")).ToHaveCountAsync(Holds(DevicePagePermissions.EditCloudProperty) ? 1 : 0);

        await page.Locator("button[data-tab='Commands']").ClickAsync();
        var command = page.Locator("[data-command='flush']");
        await Assertions.Expect(command).ToBeVisibleAsync();
        await Assertions.Expect(command.GetByTestId("run-command")).ToHaveCountAsync(Holds(DevicePagePermissions.RunCommand) ? 1 : 0);
    }
}
