using System.Net;
using Centrum.Devices;
using Centrum.Web.Pages.Devices;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The device pages in the authorization matrix: each thing they do needs the permission REST's same operation needs
/// (endpoint-permissions.txt), and each predefined role is offered exactly the actions role-permissions.txt gives it,
/// so a page cannot do what the role cannot.
/// </summary>
public sealed class DevicePageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly Dictionary<string, string> RoleIds = new()
    {
        ["admin"] = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4",
        ["builder"] = "344138e9-8de4-4497-8c54-5237e96d6aaf",
        ["operator"] = "ae2c9854-393b-4f97-8c42-479d70ce626e",
        ["org-admin"] = "c495eb57-eb18-489e-9802-62c474e5645c",
        ["org-operator"] = "b4935647-30e4-4ed3-9074-dcac66c2f8ef",
        ["org-viewer"] = "84cc62c1-dabe-49d3-b16e-8b291232b285",
    };

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
        var rest = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "endpoint-permissions.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' '))
            .ToDictionary(p => $"{p[0]} {p[1]}", p => p[2]);

        Assert.Equal(rest["GET /api/devices/"], DevicePagePermissions.List.ToString());
        Assert.Equal(rest["PUT /api/devices/{deviceId}"], DevicePagePermissions.Create.ToString());
        Assert.Equal(rest["GET /api/devices/{deviceId}/credentials"], DevicePagePermissions.ConnectionDetails.ToString());
        Assert.Equal(RestOperations.Keys.Order(), DevicePagePermissions.Actions.Order());
        Assert.All(DevicePagePermissions.Actions, kind => Assert.Equal(rest[RestOperations[kind]], DevicePagePermissions.For(kind).ToString()));
        Assert.Equal(rest["GET /devices"], DevicePagePermissions.List.ToString());
        Assert.Equal(rest["GET /devices/new"], DevicePagePermissions.Create.ToString());
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_device_actions_it_holds()
    {
        var table = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "role-permissions.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var created = await admin.PutAsync($"api/devices/n-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north"]}"""));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in RoleIds)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId);
            if (role.StartsWith("org-", StringComparison.Ordinal))
            {
                var scoped = await admin.PutAsync($"api/users/{email.Split('@')[0]}?{DeviceApi.Version}",
                    CentrumServer.Json($$"""{"type":"email","email":"{{email}}","roles":[{"role":"{{roleId}}","organization":"north"}]}"""));
                Assert.True(scoped.IsSuccessStatusCode, await scoped.Content.ReadAsStringAsync());
            }

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
        }
    }
}
