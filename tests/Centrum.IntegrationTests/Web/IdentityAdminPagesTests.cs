using System.Net;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The identity administration pages against the real server: what they do is what REST then reads (users with their
/// role assignments, the organization tree, custom roles, API tokens whose secret is shown once and works as IoT
/// Central's tokens do), and what the identity area refuses (a grant beyond the caller's holdings or reach, deleting an
/// organization still used) is shown in the area's words with nothing changed.
/// </summary>
public sealed class IdentityAdminPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task An_administrator_manages_organizations_users_roles_and_api_tokens_on_the_pages_as_rest_then_reads_them()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        var page = browser.Page;

        // Organizations: one under another is shown below it, and REST reads the tree.
        await browser.NavLink("Organizations").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await CreateOrganizationAsync(browser, "north", "North", parent: null);
        await CreateOrganizationAsync(browser, "north-plant", "North plant", parent: "north");
        var child = page.GetByTestId("organization-tree").GetByTestId("organization-north-plant");
        await Assertions.Expect(child).ToHaveAttributeAsync("data-parent", "north");
        await Assertions.Expect(child).ToHaveAttributeAsync("data-depth", "1");
        await Assertions.Expect(page.GetByTestId("organization-north")).ToHaveAttributeAsync("data-depth", "0");
        Assert.Equal("north", (string?)(await admin.GetJsonAsync("api/organizations/north-plant"))["parent"]);

        await page.GetByTestId("rename-north-plant").ClickAsync();
        await Field(page, "rename-to-north-plant").FillAsync("North plant A");
        await page.GetByTestId("save-name-north-plant").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organization-name-north-plant")).ToHaveTextAsync("North plant A");
        Assert.Equal("North plant A", (string?)(await admin.GetJsonAsync("api/organizations/north-plant"))["displayName"]);

        // Deleting an organization that has children is refused as REST refuses it; both stay.
        await page.GetByTestId("delete-organization-north").ClickAsync();
        await page.GetByTestId("confirm-delete-organization-north").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organization-error")).ToContainTextAsync("belong to this organization");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"api/organizations/north?{DeviceApi.Version}")).StatusCode);

        // Users: added with a role within an organization, listed, read back through REST, changed, deleted.
        await browser.NavLink("Users").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("add-user").ClickAsync();
        await Field(page, "user-email").FillAsync("ana@example.com");
        await page.GetByTestId("user-role-0").SelectOptionAsync(BuiltInRoles.AppOperator);
        await page.GetByTestId("user-organization-0").SelectOptionAsync("north-plant");
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-form")).ToHaveCountAsync(0);
        var anaId = await UserIdAsync(admin, "ana@example.com");
        await Assertions.Expect(page.GetByTestId("user-" + anaId)).ToHaveTextAsync("ana@example.com");
        await Assertions.Expect(page.GetByTestId("user-roles-" + anaId)).ToHaveTextAsync("Operator in North plant A");
        var ana = await admin.GetJsonAsync($"api/users/{anaId}");
        Assert.Equal("email", (string?)ana["type"]);
        var assigned = Assert.Single(ana["roles"]!.AsArray());
        Assert.Equal(BuiltInRoles.AppOperator, (string?)assigned!["role"]);
        Assert.Equal("north-plant", (string?)assigned["organization"]);

        await page.GetByTestId("change-user-" + anaId).ClickAsync();
        await page.GetByTestId("user-role-0").SelectOptionAsync(BuiltInRoles.OrgViewer);
        await page.GetByTestId("user-organization-0").SelectOptionAsync("north");
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-roles-" + anaId)).ToHaveTextAsync("Org Viewer in North");
        assigned = Assert.Single((await admin.GetJsonAsync($"api/users/{anaId}"))["roles"]!.AsArray());
        Assert.Equal(BuiltInRoles.OrgViewer, (string?)assigned!["role"]);
        Assert.Equal("north", (string?)assigned["organization"]);

        // A user still in an organization keeps it from being deleted; once the user is deleted, the organization may go.
        await page.GetByTestId("delete-user-" + anaId).ClickAsync();
        await page.GetByTestId("confirm-delete-user-" + anaId).ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-" + anaId)).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/users/{anaId}?{DeviceApi.Version}")).StatusCode);
        await browser.NavLink("Organizations").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("delete-organization-north-plant").ClickAsync();
        await page.GetByTestId("confirm-delete-organization-north-plant").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organization-north-plant")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("organization-error")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/organizations/north-plant?{DeviceApi.Version}")).StatusCode);

        // Roles: a custom role made by ticking permissions, listed under IoT Central's groups, read back through REST.
        await browser.NavLink("Roles").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("role-" + BuiltInRoles.AppOperator)).ToContainTextAsync("predefined");
        await page.GetByTestId("new-role").ClickAsync();
        await Field(page, "role-id").FillAsync("plant-auditor");
        await Field(page, "role-name").FillAsync("Plant auditor");
        await page.GetByTestId("permission-devicesRead").CheckAsync();
        await page.GetByTestId("permission-auditLogRead").CheckAsync();
        await page.GetByTestId("save-role").ClickAsync();
        var role = page.GetByTestId("role-plant-auditor");
        await Assertions.Expect(role).ToContainTextAsync("Devices: devicesRead");
        await Assertions.Expect(role).ToContainTextAsync("Administration: auditLogRead");
        var saved = await admin.GetJsonAsync("api/roles/plant-auditor");
        Assert.Equal("Plant auditor", (string?)saved["displayName"]);
        Assert.Equal(["devicesRead", "auditLogRead"], saved["permissions"]!.AsArray().Select(p => (string)p!).ToArray());

        // Edited by ticking other permissions, then deleted.
        await page.GetByTestId("edit-role-plant-auditor").ClickAsync();
        await Assertions.Expect(page.GetByTestId("permission-auditLogRead")).ToBeCheckedAsync();
        await page.GetByTestId("permission-auditLogRead").UncheckAsync();
        await page.GetByTestId("permission-deviceDataRead").CheckAsync();
        await page.GetByTestId("save-role").ClickAsync();
        await Assertions.Expect(role).ToContainTextAsync("Devices: devicesRead, deviceDataRead");
        await Assertions.Expect(role).Not.ToContainTextAsync("Administration");
        Assert.Equal(["devicesRead", "deviceDataRead"], (await admin.GetJsonAsync("api/roles/plant-auditor"))["permissions"]!.AsArray().Select(p => (string)p!).ToArray());
        await page.GetByTestId("delete-role-plant-auditor").ClickAsync();
        await page.GetByTestId("confirm-delete-role-plant-auditor").ClickAsync();
        await Assertions.Expect(role).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/roles/plant-auditor?{DeviceApi.Version}")).StatusCode);

        // API tokens: the secret is shown once, works against REST with the token's role, and is never shown again.
        await browser.NavLink("API tokens").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("new-token").ClickAsync();
        await Field(page, "token-id").FillAsync("page-token");
        await page.GetByTestId("token-role-0").SelectOptionAsync(BuiltInRoles.AppOperator);
        await page.GetByTestId("create-token").ClickAsync();
        var shown = page.GetByTestId("token-secret");
        await Assertions.Expect(shown).ToContainTextAsync("SharedAccessSignature sr=default&sig=");
        await Assertions.Expect(page.GetByTestId("copy-token")).ToBeVisibleAsync();
        var secret = (await shown.InnerTextAsync()).Trim();
        using (var scripted = server.Http(secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await scripted.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await scripted.GetAsync($"api/users?{DeviceApi.Version}")).StatusCode);
        }

        await page.GetByTestId("close-secret").ClickAsync();
        await Assertions.Expect(page.GetByTestId("token-secret")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("token-roles-page-token")).ToHaveTextAsync("Operator");
        await page.ReloadAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("token-page-token")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("token-secret")).ToHaveCountAsync(0);
        var signature = secret.Split("sig=")[1].Split('&')[0];
        Assert.DoesNotContain(signature, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(signature, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);

        // Deleting the token on the page revokes it for REST at once.
        await page.GetByTestId("delete-token-page-token").ClickAsync();
        await page.GetByTestId("confirm-delete-token-page-token").ClickAsync();
        await Assertions.Expect(page.GetByTestId("token-page-token")).ToHaveCountAsync(0);
        using (var scripted = server.Http(secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await scripted.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        }

        Assert.DoesNotContain(signature, server.Log, StringComparison.Ordinal);
        Assert.Empty(browser.ForeignRequests);
    }

    [Fact]
    public async Task An_organization_scoped_administrator_is_refused_every_grant_beyond_its_holdings_or_reach_and_nothing_is_made()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var (id, name) in new[] { ("north", "North"), ("south", "South") })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{name}}"}"""))).StatusCode);
        }

        // A custom role that administers people, tokens and organizations, assigned within North only.
        var role = await admin.PutAsync($"api/roles/people-admin?{DeviceApi.Version}", CentrumServer.Json("""
            {"displayName":"People admin","scope":"organization","permissions":["devicesRead","usersRead","usersManage","rolesRead",
             "organizationsRead","organizationsManage","apiTokensRead","apiTokensManage"]}
            """));
        Assert.True(role.IsSuccessStatusCode, await role.Content.ReadAsStringAsync());
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync("people-admin", organization: "north");
        await browser.SignInAsync(email);
        var page = browser.Page;

        // Users: the organizations offered are those within reach; application-wide, or a role holding more than the
        // person, is refused in the area's words and nobody is added.
        await browser.NavLink("Users").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("add-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-organization-0").Locator("option[value=north]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("user-organization-0").Locator("option[value=south]")).ToHaveCountAsync(0);
        await Field(page, "user-email").FillAsync("bo@example.com");
        await page.GetByTestId("user-role-0").SelectOptionAsync(BuiltInRoles.AppAdministrator);
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-error")).ToHaveTextAsync("'usersManage' reaches only your organizations, not the whole application.");
        await page.GetByTestId("user-organization-0").SelectOptionAsync("north");
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-error")).ToHaveTextAsync("You cannot grant 'devicesCreate': you do not hold it.");
        await page.GetByTestId("user-role-0").SelectOptionAsync(BuiltInRoles.OrgViewer);
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-error")).ToHaveTextAsync("You cannot grant 'deviceDataRead': you do not hold it.");
        Assert.Null(await FindUserIdAsync(admin, "bo@example.com"));

        // What it holds, within its reach, it may grant.
        await page.GetByTestId("user-role-0").SelectOptionAsync("people-admin");
        await page.GetByTestId("save-user").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-form")).ToHaveCountAsync(0);
        var boId = await UserIdAsync(admin, "bo@example.com");
        await Assertions.Expect(page.GetByTestId("user-roles-" + boId)).ToHaveTextAsync("People admin in North");

        // Organizations: it sees its own subtree, may not create one at the top level, may below its own.
        await browser.NavLink("Organizations").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("organization-north")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("organization-south")).ToHaveCountAsync(0);
        await Field(page, "organization-id").FillAsync("east");
        await Field(page, "organization-name").FillAsync("East");
        await page.GetByTestId("create-organization").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organization-error")).ToHaveTextAsync("'organizationsManage' reaches only your organizations, not the whole application.");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/organizations/east?{DeviceApi.Version}")).StatusCode);
        await CreateOrganizationAsync(browser, "north-east", "North east", parent: "north");
        Assert.Equal("north", (string?)(await admin.GetJsonAsync("api/organizations/north-east"))["parent"]);

        // API tokens: a token granting more than the person holds is refused and none is issued.
        await browser.NavLink("API tokens").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("new-token").ClickAsync();
        await Field(page, "token-id").FillAsync("too-strong");
        await page.GetByTestId("token-role-0").SelectOptionAsync(BuiltInRoles.AppAdministrator);
        await page.GetByTestId("token-organization-0").SelectOptionAsync("north");
        await page.GetByTestId("create-token").ClickAsync();
        await Assertions.Expect(page.GetByTestId("token-error")).ToHaveTextAsync("You cannot grant 'devicesCreate': you do not hold it.");
        await Assertions.Expect(page.GetByTestId("token-secret")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/apiTokens/too-strong?{DeviceApi.Version}")).StatusCode);
    }

    private static async Task CreateOrganizationAsync(BrowserSession browser, string id, string name, string? parent)
    {
        await Field(browser.Page, "organization-id").FillAsync(id);
        await Field(browser.Page, "organization-name").FillAsync(name);
        await browser.Page.GetByTestId("organization-parent").SelectOptionAsync(parent ?? "");
        await browser.Page.GetByTestId("create-organization").ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("organization-name-" + id)).ToHaveTextAsync(name);
        await Assertions.Expect(browser.Page.GetByTestId("organization-error")).ToHaveCountAsync(0);
    }

    private static async Task<string> UserIdAsync(HttpClient admin, string email) =>
        await FindUserIdAsync(admin, email) ?? throw new InvalidOperationException($"REST lists no user {email}.");

    private static async Task<string?> FindUserIdAsync(HttpClient admin, string email) =>
        (await admin.GetJsonAsync("api/users?maxpagesize=100"))["value"]!.AsArray()
            .Where(u => (string?)u!["email"] == email).Select(u => (string?)u!["id"]).FirstOrDefault();

    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
