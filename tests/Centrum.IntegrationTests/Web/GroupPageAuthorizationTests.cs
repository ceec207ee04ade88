using System.Net;
using Centrum.Web.Pages.Groups;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The device group pages in the authorization matrix: each thing they do needs the permission REST's same operation
/// needs (endpoint-permissions.txt), and each predefined role is offered exactly the actions (create, save, delete)
/// role-permissions.txt gives it.
/// </summary>
public sealed class GroupPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public void Each_thing_the_group_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["GET /api/deviceGroups/"], GroupPagePermissions.Read.ToString());
        Assert.Equal(rest["GET /api/deviceGroups/{deviceGroupId}"], GroupPagePermissions.Read.ToString());
        Assert.Equal(rest["PUT /api/deviceGroups/{deviceGroupId}"], GroupPagePermissions.Create.ToString());
        Assert.Equal(rest["PATCH /api/deviceGroups/{deviceGroupId}"], GroupPagePermissions.Update.ToString());
        Assert.Equal(rest["DELETE /api/deviceGroups/{deviceGroupId}"], GroupPagePermissions.Delete.ToString());
        Assert.Equal(rest["GET /api/devices/"], GroupPagePermissions.Members.ToString());
        Assert.Equal(rest["GET /api/deviceTemplates/"], GroupPagePermissions.Templates.ToString());
        Assert.Equal(rest["GET /api/organizations"], GroupPagePermissions.Organizations.ToString());
        Assert.Equal(rest["GET /device-groups"], GroupPagePermissions.Read.ToString());
        Assert.Equal(rest["GET /device-groups/{GroupId}"], GroupPagePermissions.Read.ToString());
        Assert.Equal(rest["GET /device-groups/new"], GroupPagePermissions.Create.ToString());
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_group_actions_it_holds()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var device = await admin.PutAsync($"api/devices/n-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north"]}"""));
        Assert.True(device.IsSuccessStatusCode, await device.Content.ReadAsStringAsync());
        var group = await admin.PutAsync($"api/deviceGroups/north-all?{DeviceApi.Version}",
            CentrumServer.Json("""{"displayName":"North devices","filter":"SELECT * FROM devices","organizations":["north"]}"""));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);
            await browser.SignInAsync(email);

            await browser.Page.GotoAsync("device-groups");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("count-north-all")).ToHaveTextAsync("1");
            var mayCreate = PermissionTables.Holds(role, GroupPagePermissions.Create);
            await Assertions.Expect(browser.Page.GetByTestId("new-group")).ToHaveCountAsync(mayCreate ? 1 : 0);

            await browser.Page.GotoAsync("device-groups/north-all");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("group-title")).ToHaveTextAsync("North devices");
            await Assertions.Expect(browser.Page.Locator("[data-member='n-1']")).ToBeVisibleAsync();
            await Assertions.Expect(browser.Page.GetByTestId("save-group")).ToHaveCountAsync(PermissionTables.Holds(role, GroupPagePermissions.Update) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("delete-group")).ToHaveCountAsync(PermissionTables.Holds(role, GroupPagePermissions.Delete) ? 1 : 0);

            // The creation page itself is refused to a role that may not create, as the router refuses it.
            await browser.Page.GotoAsync("device-groups/new");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("group-id")).ToHaveCountAsync(mayCreate ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToHaveCountAsync(mayCreate ? 0 : 1);
        }
    }
}
