using System.Text.RegularExpressions;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// A person who is a member of several applications switches between them from the app bar: the session is issued
/// again for the other application, with the roles held there; the second factor is asked again; an application the
/// person is not a member of is refused.
/// </summary>
public sealed partial class ApplicationSwitchTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Switching_application_issues_the_session_there_with_the_roles_held_there()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.RunCliAsync("app", "create", "--id", "plant-2", "--name", "Plant 2");
        await server.RunCliAsync("app", "create", "--id", "plant-3", "--name", "Plant 3");
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppOperator);
        await browser.AddMemberAsync(email, BuiltInRoles.AppAdministrator, application: "plant-2");
        await browser.SignInAsync(email);
        var first = await browser.Page.GetByTestId("application-name").TextContentAsync();
        await Assertions.Expect(browser.NavLink("Audit log")).ToHaveCountAsync(0);

        // Only the applications the person is a member of are offered.
        await browser.Page.GetByTestId("application-switcher").ClickAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Menuitem, new() { Name = "Plant 3" })).ToHaveCountAsync(0);
        await browser.Page.GetByText("Plant 2").ClickAsync();
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to Plant 2" }).ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("application-name")).ToHaveTextAsync("Plant 2");

        // An administrator there: the navigation and REST both answer with plant-2's roles.
        await Assertions.Expect(browser.NavLink("Audit log")).ToBeVisibleAsync();
        Assert.Equal(200, (await browser.Page.APIRequest.GetAsync($"api/auditLogs?{DeviceApi.Version}")).Status);

        // And back.
        await browser.Page.GetByTestId("application-switcher").ClickAsync();
        await browser.Page.GetByText(first!).ClickAsync();
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = $"Switch to {first}" }).ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("application-name")).ToHaveTextAsync(first!);
        Assert.Equal(403, (await browser.Page.APIRequest.GetAsync($"api/auditLogs?{DeviceApi.Version}")).Status);

        // An application the person is not a member of, by its address: refused, and the session stays where it was.
        await browser.Page.GotoAsync("switch?application=plant-3");
        await Assertions.Expect(browser.Page.GetByTestId("switch-error")).ToContainTextAsync("not a member");
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to Plant 3" })).ToHaveCountAsync(0);
        Assert.Equal(403, (await browser.Page.APIRequest.GetAsync($"api/auditLogs?{DeviceApi.Version}")).Status);
        Assert.Equal(200, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);
    }

    [Fact]
    public async Task Switching_asks_for_the_second_factor_again()
    {
        await using var server = await CentrumServer.StartAsync();
        await server.RunCliAsync("app", "create", "--id", "plant-2", "--name", "Plant 2");
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppOperator);
        await browser.AddMemberAsync(email, BuiltInRoles.AppOperator, application: "plant-2");
        var key = await browser.EnableTwoFactorAsync(email);
        await browser.SubmitPasswordAsync(email);
        await browser.SubmitCodeAsync(Authenticator.Totp(key));
        await browser.WaitUntilInteractiveAsync();

        await browser.Page.GetByTestId("application-switcher").ClickAsync();
        await browser.Page.GetByText("Plant 2").ClickAsync();
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to Plant 2" }).ClickAsync();
        await Assertions.Expect(browser.Page).ToHaveURLAsync(CodeStep());
        await Assertions.Expect(browser.Page.GetByLabel("Authenticator code")).ToBeVisibleAsync();

        await browser.SubmitCodeAsync(Authenticator.Totp(key));
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByTestId("application-name")).ToHaveTextAsync("Plant 2");
    }

    [GeneratedRegex(@"/signin\?application=plant-2&step=code$")]
    private static partial Regex CodeStep();
}
