using System.Net;
using Centrum.Web.Pages.Dashboards;
using Centrum.Web.Pages.Explorer;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The data explorer in the authorization matrix: running a query needs the permission of REST's <c>POST /api/query</c>
/// (endpoint-permissions.txt), choosing a template or a group needs REST's permission to list them, and each
/// predefined role (role-permissions.txt) is linked and shown the page exactly as it holds that permission; a custom
/// role without it is refused the page by its address. Saved queries follow the dashboards permissions: each role is
/// offered saving for the application, renaming and deleting the application's query exactly as it holds them.
/// </summary>
public sealed class ExplorerPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public void Each_thing_the_data_explorer_does_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["POST /api/query"], ExplorerPagePermissions.Run.ToString());
        Assert.Equal(rest["GET /explorer"], ExplorerPagePermissions.Run.ToString());
        Assert.Equal(rest["POST /explorer"], ExplorerPagePermissions.Run.ToString());
        Assert.Equal(rest["GET /api/deviceTemplates/"], ExplorerPagePermissions.ChooseTemplate.ToString());
        Assert.Equal(rest["GET /api/deviceGroups/"], ExplorerPagePermissions.ChooseGroup.ToString());
        Assert.Equal(rest["GET /api/deviceGroups/{deviceGroupId}/devices"], ExplorerPagePermissions.ChooseGroup.ToString());

        // Application saved queries follow the application dashboards permissions, as the dashboard pages hand them to
        // the dashboards area; personal ones need only membership, as personal dashboards.
        Assert.Equal(DashboardPagePermissions.Read, ExplorerPagePermissions.ReadSaved);
        Assert.Equal(DashboardPagePermissions.Create, ExplorerPagePermissions.SaveApplication);
        Assert.Equal(DashboardPagePermissions.Update, ExplorerPagePermissions.RenameApplication);
        Assert.Equal(DashboardPagePermissions.Delete, ExplorerPagePermissions.DeleteApplication);
        Assert.Equal(DashboardPagePermissions.Update, ExplorerPagePermissions.Pin);
    }

    [Fact]
    public async Task Each_role_opens_the_data_explorer_exactly_when_it_may_query_device_data()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var reader = await admin.PutAsync($"api/roles/reader?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Reader","permissions":["devicesRead"]}"""));
        Assert.True(reader.IsSuccessStatusCode, await reader.Content.ReadAsStringAsync());

        var template = """
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Boiler","capabilityModel":{"@id":"dtmi:com:example:Boiler;1","@type":"Interface","contents":[
              {"@type":"Telemetry","name":"temperature","schema":"double"}]}}
            """;
        var saved = await admin.PutAsync($"api/deviceTemplates/dtmi:com:example:Boiler;1?{DeviceApi.Version}", CentrumServer.Json(template));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        await using (var owner = await chromium.OpenAsync(server))
        {
            await owner.SignInAsAsync(Centrum.Identity.Authorization.BuiltInRoles.AppAdministrator);
            await owner.Page.GotoAsync("explorer");
            await owner.WaitUntilInteractiveAsync();
            await owner.Page.GetByTestId("explorer-template").SelectOptionAsync("dtmi:com:example:Boiler;1");
            await owner.Page.GetByTestId("field-temperature").CheckAsync();
            await JobPagesTests.Field(owner.Page, "saved-name").FillAsync("Shared");
            await owner.Page.GetByTestId("saved-scope").SelectOptionAsync("application");
            await owner.Page.GetByTestId("saved-save").ClickAsync();
            await Assertions.Expect(owner.Page.GetByTestId("saved-message")).ToHaveTextAsync("Saved \"Shared\".");
        }

        var roles = PermissionTables.PredefinedRoles.Select(r => (r.Key, r.Value, PermissionTables.Holds(r.Key, ExplorerPagePermissions.Run)))
            .Append(("reader", "reader", false));
        foreach (var (role, roleId, holds) in roles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);
            await browser.SignInAsync(email);
            await Assertions.Expect(browser.NavLink("Home")).ToBeVisibleAsync();
            await Assertions.Expect(browser.NavLink("Data explorer")).ToHaveCountAsync(holds ? 1 : 0);

            await browser.Page.GotoAsync("explorer");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("explorer-form")).ToHaveCountAsync(holds ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToHaveCountAsync(holds ? 0 : 1);
            // Each role holding the query permission also lists templates and groups, so its form offers both.
            await Assertions.Expect(browser.Page.GetByTestId("explorer-template")).ToHaveCountAsync(holds && PermissionTables.Holds(role, ExplorerPagePermissions.ChooseTemplate) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("explorer-group")).ToHaveCountAsync(holds && PermissionTables.Holds(role, ExplorerPagePermissions.ChooseGroup) ? 1 : 0);

            // Saving for the application is offered as the role may create application dashboards; the application's
            // query (placed application-wide) is listed as the role reads application dashboards application-wide, and
            // offered for renaming and deleting as it may update and delete them.
            var page = browser.Page;
            await Assertions.Expect(page.Locator("[data-testid=saved-scope] option[value=application]")).ToHaveCountAsync(holds && PermissionTables.Holds(role, ExplorerPagePermissions.SaveApplication) ? 1 : 0);
            var sees = holds && PermissionTables.Holds(role, ExplorerPagePermissions.ReadSaved) && !role.StartsWith("org-", StringComparison.Ordinal);
            await Assertions.Expect(page.GetByTestId("saved-list").Locator("option", new() { HasTextString = "Shared" })).ToHaveCountAsync(sees ? 1 : 0);
            if (sees)
            {
                await page.GetByTestId("saved-list").SelectOptionAsync(new SelectOptionValue { Label = "Shared" });
                await Assertions.Expect(page.GetByTestId("saved-open")).ToHaveCountAsync(1);
                await Assertions.Expect(page.GetByTestId("saved-rename")).ToHaveCountAsync(PermissionTables.Holds(role, ExplorerPagePermissions.RenameApplication) ? 1 : 0);
                await Assertions.Expect(page.GetByTestId("saved-delete")).ToHaveCountAsync(PermissionTables.Holds(role, ExplorerPagePermissions.DeleteApplication) ? 1 : 0);
            }
        }
    }
}
