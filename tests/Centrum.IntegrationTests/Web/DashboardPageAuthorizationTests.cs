using System.Net;
using Centrum.Identity.Authorization;
using Centrum.Web.Authorization;
using Centrum.Web.Pages.Dashboards;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The dashboard pages in the authorization matrix: like REST's <c>/api/dashboards</c> operations they are open to
/// every member and use the dashboards permissions (role-permissions.txt) for application dashboards, their tiles read
/// with REST's permissions for the same reads (endpoint-permissions.txt), and each predefined role is offered exactly
/// the application-dashboard actions it holds, while every role keeps and edits personal dashboards.
/// </summary>
public sealed class DashboardPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";

    [Fact]
    public void Each_thing_the_dashboard_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        // Pages and REST alike: any member, the dashboards permission deciding only the application dashboards' reach.
        Assert.Equal(MemberPolicy.Name, rest["GET /api/dashboards/"]);
        Assert.Equal(MemberPolicy.Name, rest["PUT /api/dashboards/{dashboardId}"]);
        Assert.Equal(MemberPolicy.Name, rest["PATCH /api/dashboards/{dashboardId}"]);
        Assert.Equal(MemberPolicy.Name, rest["DELETE /api/dashboards/{dashboardId}"]);
        Assert.Equal(WebPolicies.Member, rest["GET /dashboards"]);
        Assert.Equal(WebPolicies.Member, rest["GET /dashboards/{DashboardId}"]);
        Assert.Equal(Permission.DashboardsRead, DashboardPagePermissions.Read);
        Assert.Equal(Permission.DashboardsCreate, DashboardPagePermissions.Create);
        Assert.Equal(Permission.DashboardsUpdate, DashboardPagePermissions.Update);
        Assert.Equal(Permission.DashboardsDelete, DashboardPagePermissions.Delete);
        Assert.All(
            new[] { DashboardPagePermissions.Read, DashboardPagePermissions.Create, DashboardPagePermissions.Update, DashboardPagePermissions.Delete },
            p => Assert.True(PermissionTables.Holders.ContainsKey(p.ToString()), $"{p} is in the role table"));

        Assert.Equal(rest["POST /api/query"], DashboardPagePermissions.ReadData.ToString());
        Assert.Equal(rest["GET /api/devices/"], DashboardPagePermissions.Members.ToString());
        Assert.Equal(rest["GET /api/deviceGroups/"], DashboardPagePermissions.ChooseGroup.ToString());
        Assert.Equal(rest["GET /api/devices/{deviceId}/properties"], DashboardPagePermissions.ReadProperties.ToString());
        Assert.Equal(rest["POST /api/devices/{deviceId}/commands/{commandName}"], DashboardPagePermissions.RunCommand.ToString());
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_dashboard_actions_it_holds()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var shared = await admin.PutAsync($"api/dashboards/shared?{Preview}", CentrumServer.Json("""
            {"displayName":"Shared","organizations":["north"],"tiles":[{"displayName":"Hello","x":0,"y":0,"width":2,"height":1,"configuration":{"type":"markdown","description":"hello"}}]}
            """));
        Assert.True(shared.IsSuccessStatusCode, await shared.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            await browser.SignInAsync(await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null));
            var page = browser.Page;
            await browser.NavLink("Dashboards").ClickAsync();
            await browser.WaitUntilInteractiveAsync();

            var reads = PermissionTables.Holds(role, DashboardPagePermissions.Read);
            await Assertions.Expect(page.Locator("[data-dashboard='shared']")).ToHaveCountAsync(reads ? 1 : 0);
            await Assertions.Expect(page.GetByTestId("new-app-dashboard")).ToHaveCountAsync(PermissionTables.Holds(role, DashboardPagePermissions.Create) ? 1 : 0);
            await Assertions.Expect(page.GetByTestId("delete-shared")).ToHaveCountAsync(reads && PermissionTables.Holds(role, DashboardPagePermissions.Delete) ? 1 : 0);

            if (reads)
            {
                await page.GotoAsync("dashboards/shared");
                await browser.WaitUntilInteractiveAsync();
                await Assertions.Expect(page.GetByTestId("markdown-text")).ToHaveTextAsync("hello");
                await Assertions.Expect(page.GetByTestId("edit-dashboard")).ToHaveCountAsync(PermissionTables.Holds(role, DashboardPagePermissions.Update) ? 1 : 0);
                // Making a dashboard one's home dashboard is kept per member, like a personal dashboard: every member who sees it may.
                await Assertions.Expect(page.GetByTestId("favorite-dashboard")).ToHaveCountAsync(1);
            }

            // Every member keeps a personal dashboard and edits it.
            await page.GotoAsync("dashboards");
            await browser.WaitUntilInteractiveAsync();
            await page.GetByTestId("new-personal-dashboard").ClickAsync();
            await page.WaitForURLAsync("**/dashboards/*");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("My dashboard");
            await page.GetByTestId("edit-dashboard").ClickAsync();
            await page.GetByTestId("tile-kind").SelectOptionAsync("markdown");
            await page.GetByTestId("tile-name").FillAsync("Mine");
            await page.GetByTestId("add-tile").ClickAsync();
            await page.GetByTestId("save-dashboard").ClickAsync();
            await Assertions.Expect(page.GetByTestId("edit-dashboard")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-tile='Mine']")).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByTestId("dashboard-error")).ToHaveCountAsync(0);
        }
    }
}
