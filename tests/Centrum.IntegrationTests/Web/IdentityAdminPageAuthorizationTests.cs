using System.Net;
using Centrum.Web.Pages.Administration;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The identity administration pages in the authorization matrix: each thing they do needs the permission REST's same
/// operation needs (endpoint-permissions.txt), and each predefined role is linked exactly the pages and offered exactly
/// the actions role-permissions.txt gives it; a page it may not open answers "not allowed" by its address.
/// </summary>
public sealed class IdentityAdminPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Each page: its navigation title, address, the permission it needs, and its actions (the test id of the control that offers each, with the permission it needs).</summary>
    private static readonly (string Title, string Address, Centrum.Identity.Authorization.Permission Open, (string TestId, Centrum.Identity.Authorization.Permission Needs)[] Actions)[] Pages =
    [
        ("Users", "administration/users", AdministrationPagePermissions.Users,
        [
            ("add-user", AdministrationPagePermissions.AddUser),
            ("change-user-", AdministrationPagePermissions.ChangeUserRoles),
            ("delete-user-", AdministrationPagePermissions.DeleteUser),
        ]),
        ("Roles", "administration/roles", AdministrationPagePermissions.Roles,
        [
            ("new-role", AdministrationPagePermissions.SaveRole),
            ("edit-role-", AdministrationPagePermissions.SaveRole),
            ("delete-role-", AdministrationPagePermissions.DeleteRole),
        ]),
        ("Organizations", "administration/organizations", AdministrationPagePermissions.Organizations,
        [
            ("create-organization", AdministrationPagePermissions.CreateOrganization),
            ("rename-", AdministrationPagePermissions.RenameOrganization),
            ("delete-organization-", AdministrationPagePermissions.DeleteOrganization),
        ]),
        ("API tokens", "administration/api-tokens", AdministrationPagePermissions.ApiTokens,
        [
            ("new-token", AdministrationPagePermissions.CreateApiToken),
            ("delete-token-", AdministrationPagePermissions.DeleteApiToken),
        ]),
    ];

    /// <summary>An expectation that, when it fails, says which role, page and action it was about.</summary>
    private static async Task Expect(string role, string page, string what, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException e)
        {
            throw new Xunit.Sdk.XunitException($"{role} on {page}: {what}: {e.Message}");
        }
    }

    [Fact]
    public void Each_thing_the_identity_administration_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["GET /api/users"], AdministrationPagePermissions.Users.ToString());
        Assert.Equal(rest["PUT /api/users/{userId}"], AdministrationPagePermissions.AddUser.ToString());
        Assert.Equal(rest["PATCH /api/users/{userId}"], AdministrationPagePermissions.ChangeUserRoles.ToString());
        Assert.Equal(rest["DELETE /api/users/{userId}"], AdministrationPagePermissions.DeleteUser.ToString());
        Assert.Equal(rest["GET /api/roles"], AdministrationPagePermissions.Roles.ToString());
        Assert.Equal(rest["PUT /api/roles/{roleId}"], AdministrationPagePermissions.SaveRole.ToString());
        Assert.Equal(rest["DELETE /api/roles/{roleId}"], AdministrationPagePermissions.DeleteRole.ToString());
        Assert.Equal(rest["GET /api/organizations"], AdministrationPagePermissions.Organizations.ToString());
        Assert.Equal(rest["PUT /api/organizations/{organizationId}"], AdministrationPagePermissions.CreateOrganization.ToString());
        Assert.Equal(rest["PATCH /api/organizations/{organizationId}"], AdministrationPagePermissions.RenameOrganization.ToString());
        Assert.Equal(rest["DELETE /api/organizations/{organizationId}"], AdministrationPagePermissions.DeleteOrganization.ToString());
        Assert.Equal(rest["GET /api/apiTokens"], AdministrationPagePermissions.ApiTokens.ToString());
        Assert.Equal(rest["PUT /api/apiTokens/{tokenId}"], AdministrationPagePermissions.CreateApiToken.ToString());
        Assert.Equal(rest["DELETE /api/apiTokens/{tokenId}"], AdministrationPagePermissions.DeleteApiToken.ToString());

        // Each page is opened with its list's permission (the page's own attribute, listed for the router).
        Assert.All(Pages, p => Assert.Equal(rest[$"GET /{p.Address}"], p.Open.ToString()));

        // The role editor offers every permission once, under IoT Central's groups.
        var grouped = Centrum.Identity.Authorization.PermissionGroups.All.SelectMany(g => g.Permissions).ToList();
        Assert.Equal(Enum.GetValues<Centrum.Identity.Authorization.Permission>().Order(), grouped.Order());
    }

    [Fact]
    public async Task Each_role_is_linked_exactly_the_identity_pages_and_offered_exactly_the_actions_it_holds()
    {
        var table = PermissionTables.Holders;
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var custom = await admin.PutAsync($"api/roles/reader?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Reader","permissions":["devicesRead"]}"""));
        Assert.True(custom.IsSuccessStatusCode, await custom.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);
            await browser.SignInAsync(email);
            foreach (var (title, address, open, actions) in Pages)
            {
                var mayOpen = table[open.ToString()].Contains(role);
                await Expect(role, title, "navigation entry", () => Assertions.Expect(browser.NavLink(title)).ToHaveCountAsync(mayOpen ? 1 : 0));
                await browser.Page.GotoAsync(address);
                await browser.WaitUntilInteractiveAsync();
                if (!mayOpen)
                {
                    await Expect(role, title, "not allowed", () => Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToBeVisibleAsync());
                    continue;
                }

                await Expect(role, title, "page opened", async () =>
                {
                    await Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToHaveCountAsync(0);
                    await Assertions.Expect(browser.Page.Locator("h4").First).ToHaveTextAsync(title);
                });
                foreach (var (testId, needs) in actions)
                {
                    // Row actions (ids ending in '-') are checked on every row: each listed page has at least one row.
                    var offered = testId.EndsWith('-') ? browser.Page.Locator($"[data-testid^='{testId}']") : browser.Page.GetByTestId(testId);
                    var holds = table[needs.ToString()].Contains(role);
                    await Expect(role, title, (holds ? "offered " : "not offered ") + testId,
                        () => holds ? Assertions.Expect(offered.First).ToBeVisibleAsync() : Assertions.Expect(offered).ToHaveCountAsync(0));
                }
            }
        }
    }
}
