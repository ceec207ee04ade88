using System.Text.RegularExpressions;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Pages are opened with the same permissions as REST: the navigation links only what the caller may open, a page
/// opened by its address without the permission shows "not allowed" and none of its content, and a person not signed
/// in is sent to sign-in and back. The cases on the default settings share one server, each with its own people.
/// </summary>
public sealed class PageAuthorizationTests(Chromium chromium, SharedServer shared) : IClassFixture<Chromium>, IClassFixture<SharedServer>
{
    [Fact]
    public async Task An_operator_is_linked_no_administrator_page_and_is_refused_one_by_its_address()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await using var administrator = await chromium.OpenAsync(server);
        var administratorEmail = await administrator.SignInAsAsync(BuiltInRoles.AppAdministrator);
        await using var operatorSession = await chromium.OpenAsync(server);
        await operatorSession.SignInAsAsync(BuiltInRoles.AppOperator);

        // The administrator's navigation links the audit log, and the page shows the administrator's own sign-in.
        await Assertions.Expect(administrator.NavLink("Home")).ToBeVisibleAsync();
        await administrator.NavLink("Audit log").ClickAsync();
        await Assertions.Expect(administrator.Page).ToHaveURLAsync(new Regex("/administration/audit-log$"));
        await Assertions.Expect(administrator.Page.GetByTestId("audit-log").GetByText(administratorEmail).First).ToBeVisibleAsync();

        // The operator's does not; by its address the page answers "not allowed" and none of its content.
        await Assertions.Expect(operatorSession.NavLink("Home")).ToBeVisibleAsync();
        await Assertions.Expect(operatorSession.NavLink("Audit log")).ToHaveCountAsync(0);
        // Of the administration group it is linked only the pages its role reads over REST too (roles, organizations);
        // IdentityAdminPageAuthorizationTests holds every role to its pages and actions.
        await Assertions.Expect(operatorSession.NavLink("Users")).ToHaveCountAsync(0);
        await Assertions.Expect(operatorSession.NavLink("API tokens")).ToHaveCountAsync(0);
        await Assertions.Expect(operatorSession.NavLink("Roles")).ToBeVisibleAsync();
        await operatorSession.Page.GotoAsync("administration/audit-log");
        await operatorSession.WaitUntilInteractiveAsync();
        await Assertions.Expect(operatorSession.Page.GetByTestId("not-allowed")).ToBeVisibleAsync();
        await Assertions.Expect(operatorSession.Page.GetByTestId("audit-log")).ToHaveCountAsync(0);
        Assert.DoesNotContain(administratorEmail, await operatorSession.Page.ContentAsync(), StringComparison.Ordinal);

        // REST agrees: the same session is refused the audit log there too.
        Assert.Equal(403, (await operatorSession.Page.APIRequest.GetAsync($"api/auditLogs?{DeviceApi.Version}")).Status);
    }

    [Fact]
    public async Task A_page_opened_without_a_session_sends_to_sign_in_and_back_to_it()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppAdministrator);

        await browser.Page.GotoAsync("administration/audit-log");
        await Assertions.Expect(browser.Page).ToHaveURLAsync(new Regex(@"/signin\?returnUrl=%2Fadministration%2Faudit-log$"));
        await Assertions.Expect(browser.Page.GetByTestId("audit-log")).ToHaveCountAsync(0);

        await browser.Page.GetByLabel("Email").FillAsync(email);
        await browser.Page.GetByLabel("Password").FillAsync(BrowserSession.Password);
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page).ToHaveURLAsync(new Regex("/administration/audit-log$"));
        await Assertions.Expect(browser.Page.GetByTestId("audit-log").GetByText(email).First).ToBeVisibleAsync();

        // Only paths of this server: a return address to another host goes home instead.
        await browser.Page.GotoAsync("signout");
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await browser.Page.GotoAsync("signin?returnUrl=" + Uri.EscapeDataString("//elsewhere.example/"));
        await browser.Page.GetByLabel("Email").FillAsync(email);
        await browser.Page.GetByLabel("Password").FillAsync(BrowserSession.Password);
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        Assert.Equal(server.BaseAddress.ToString(), browser.Page.Url);
        Assert.Empty(browser.ForeignRequests);
    }

    [Fact]
    public async Task An_open_page_follows_a_role_taken_away_without_being_reloaded_by_the_person()
    {
        // A short revalidation period so the test spans several of them.
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Web:MembershipRevalidation"] = "00:00:01" });
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        await browser.NavLink("Audit log").ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("audit-log")).ToBeVisibleAsync();

        // The administrator becomes an operator: the open page stops showing the audit log, the navigation drops it.
        using var admin = server.Http(await server.CreateTokenAsync("web-admin"));
        var changed = await admin.PatchAsync(
            $"api/users/{email.Split('@')[0]}?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{"role":"{{BuiltInRoles.AppOperator}}"}]}"""));
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        await Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(browser.Page.GetByTestId("audit-log")).ToHaveCountAsync(0);
        await Assertions.Expect(browser.Page).ToHaveURLAsync(new Regex("/administration/audit-log$"));
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.NavLink("Audit log")).ToHaveCountAsync(0);

        // Removed from the application: the page goes to sign-in.
        Assert.True((await admin.DeleteAsync($"api/users/{email.Split('@')[0]}?{DeviceApi.Version}")).IsSuccessStatusCode);
        await Assertions.Expect(browser.Page).ToHaveURLAsync(new Regex(@"/signin\?returnUrl="), new() { Timeout = 30_000 });
        await Assertions.Expect(browser.Page.GetByLabel("Password")).ToBeVisibleAsync();
    }
}
