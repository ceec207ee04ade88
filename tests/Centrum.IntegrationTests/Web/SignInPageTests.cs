using System.Text.RegularExpressions;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The web application's sign-in: with a password, refused with the identity area's message, and signing out. The
/// cases share one server, each with its own accounts.
/// </summary>
public sealed partial class SignInPageTests(Chromium chromium, SharedServer shared) : IClassFixture<Chromium>, IClassFixture<SharedServer>
{
    [Fact]
    public async Task A_member_signs_in_with_a_password_reaches_the_application_and_signs_out()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppOperator);

        // Not signed in: any page sends to sign-in, which comes back to it.
        await browser.Page.GotoAsync("");
        await Assertions.Expect(browser.Page).ToHaveURLAsync(SignInFromHome());

        await browser.Page.GetByLabel("Email").FillAsync(email);
        await browser.Page.GetByLabel("Password").FillAsync(BrowserSession.Password);
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        Assert.Equal(server.BaseAddress.ToString(), browser.Page.Url);
        await Assertions.Expect(browser.Page.GetByTestId("application-name")).Not.ToBeEmptyAsync();
        await Assertions.Expect(browser.Page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();

        // The same session cookie as REST's sign-in: the browser's session reads the REST API with the member's roles.
        var devices = await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}");
        Assert.Equal(200, devices.Status);

        await browser.Page.GetByTestId("account-menu").ClickAsync();
        await browser.Page.GetByText("Sign out").ClickAsync();
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(browser.Page).ToHaveURLAsync(new Regex("/signin$"));
        await browser.Page.GotoAsync("");
        await Assertions.Expect(browser.Page).ToHaveURLAsync(SignInFromHome());
        Assert.Equal(401, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);
    }

    [Fact]
    public async Task A_wrong_password_or_a_non_member_is_refused_with_the_same_message()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppOperator);
        await server.RunCliAsync("user", "create", "--email", "stranger@example.com", "--password", BrowserSession.Password);

        await browser.SubmitPasswordAsync(email, "Wrong-password-12");
        var refused = browser.Page.GetByTestId("signin-error");
        await Assertions.Expect(refused).ToContainTextAsync("not valid");
        var message = await refused.TextContentAsync();

        await browser.SubmitPasswordAsync("stranger@example.com");
        await Assertions.Expect(refused).ToHaveTextAsync(message!);
        Assert.Equal(401, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);
    }

    [Fact]
    public async Task With_two_factor_sign_in_the_password_leads_to_the_code_and_a_wrong_code_is_refused_with_a_message()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppOperator);
        var key = await browser.EnableTwoFactorAsync(email);

        await browser.SubmitPasswordAsync(email);
        await Assertions.Expect(browser.Page.GetByLabel("Authenticator code")).ToBeVisibleAsync();
        Assert.Equal(401, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);

        // A wrong code: the identity area's message, and the code step again (the account is still carried).
        await browser.SubmitCodeAsync(Authenticator.Totp(key) == "000000" ? "111111" : "000000");
        await Assertions.Expect(browser.Page.GetByTestId("signin-error")).ToContainTextAsync("not valid");
        await Assertions.Expect(browser.Page.GetByLabel("Authenticator code")).ToBeVisibleAsync();
        Assert.Equal(401, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);

        await browser.SubmitCodeAsync(Authenticator.Totp(key));
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(browser.Page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();
        Assert.Equal(200, (await browser.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}")).Status);
    }

    [GeneratedRegex(@"/signin\?returnUrl=%2F$")]
    private static partial Regex SignInFromHome();
}
