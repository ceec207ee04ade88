using System.Net;
using Centrum.Api.Infrastructure;
using Centrum.Templates;
using Centrum.Web.Pages.Templates;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The template pages in the authorization matrix: each thing they do needs the permission REST's same operation needs
/// (endpoint-permissions.txt), and each predefined role is offered exactly the actions (import, delete, migrate)
/// role-permissions.txt gives it, so a page cannot do what the role cannot; and a migration made on the page acts only
/// on devices within the caller's reach.
/// </summary>
public sealed class TemplatePageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string TemplateId = "dtmi:contoso:Sensor;1";

    [Fact]
    public void Each_thing_the_template_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["GET /api/deviceTemplates/"], TemplatePagePermissions.Read.ToString());
        Assert.Equal(rest["GET /api/deviceTemplates/{deviceTemplateId}"], TemplatePagePermissions.Read.ToString());
        Assert.Equal(rest["PUT /api/deviceTemplates/{deviceTemplateId}"], TemplatePagePermissions.Import.ToString());
        Assert.Equal(rest["DELETE /api/deviceTemplates/{deviceTemplateId}"], TemplatePagePermissions.Delete.ToString());
        Assert.Equal(rest["GET /api/devices/"], TemplatePagePermissions.Devices.ToString());
        Assert.Equal(rest["PUT /api/jobs/{jobId}"], TemplatePagePermissions.Migrate.ToString());
        Assert.Equal(rest["GET /api/jobs/{jobId}"], TemplatePagePermissions.MigrationProgress.ToString());
        Assert.Equal(rest["GET /templates"], TemplatePagePermissions.Read.ToString());
        Assert.Equal(rest["GET /templates/{TemplateId}"], TemplatePagePermissions.Read.ToString());
        Assert.Equal(rest["GET /templates/new"], TemplatePagePermissions.Import.ToString());

        // The import page accepts what REST's PUT accepts, and no more.
        Assert.Equal(JsonBody.MaxBytes, TemplateImport.MaxBytes);
        Assert.Equal(JsonBody.MaxDepth, TemplateImport.MaxDepth);
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_template_actions_it_holds()
    {
        var table = PermissionTables.Holders;
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        var template = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(TemplateId)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"displayName":"Sensor","capabilityModel":{"@id":"{{{TemplateId}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","schema":"double"}]}}
            """));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        var device = await admin.PutAsync($"api/devices/n-1?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["north"],"template":"{{TemplateId}}"}"""));
        Assert.True(device.IsSuccessStatusCode, await device.Content.ReadAsStringAsync());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);
            await browser.SignInAsync(email);

            await browser.Page.GotoAsync("templates");
            await browser.WaitUntilInteractiveAsync();
            var mayImport = table[TemplatePagePermissions.Import.ToString()].Contains(role);
            await Assertions.Expect(browser.Page.GetByTestId("template-row-" + TemplateId)).ToBeVisibleAsync();
            await Assertions.Expect(browser.Page.GetByTestId("import-template")).ToHaveCountAsync(mayImport ? 1 : 0);

            await browser.Page.GotoAsync("templates/" + Uri.EscapeDataString(TemplateId));
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("template-id")).ToHaveTextAsync(TemplateId);
            await Assertions.Expect(browser.Page.GetByTestId("delete-template")).ToHaveCountAsync(table[TemplatePagePermissions.Delete.ToString()].Contains(role) ? 1 : 0);
            var mayMigrate = table[TemplatePagePermissions.Migrate.ToString()].Contains(role);
            await Assertions.Expect(browser.Page.GetByTestId("migrate-all")).ToHaveCountAsync(mayMigrate ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("select-n-1")).ToHaveCountAsync(mayMigrate ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("device-link-n-1")).ToHaveCountAsync(table[TemplatePagePermissions.Devices.ToString()].Contains(role) ? 1 : 0);

            // The import page itself is refused to a role that may not import, as the router refuses it.
            await browser.Page.GotoAsync("templates/new");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("template-json")).ToHaveCountAsync(mayImport ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("not-allowed")).ToHaveCountAsync(mayImport ? 0 : 1);
        }

        // A migration acts within the caller's reach: an organization's operator moves its organization's device, and
        // the device of another organization using the same template stays where it is.
        const string Target = "dtmi:contoso:Sensor;2";
        var next = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Target)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"displayName":"Sensor 2","capabilityModel":{"@id":"{{{Target}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","schema":"double"}]}}
            """));
        Assert.True(next.IsSuccessStatusCode, await next.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/south?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"South"}"""))).StatusCode);
        var other = await admin.PutAsync($"api/devices/s-1?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["south"],"template":"{{TemplateId}}"}"""));
        Assert.True(other.IsSuccessStatusCode, await other.Content.ReadAsStringAsync());

        await using var scoped = await chromium.OpenAsync(server);
        await scoped.SignInAsync(await scoped.CreateMemberAsync(PermissionTables.PredefinedRoles["org-operator"], organization: "north"));
        await scoped.Page.GotoAsync("templates/" + Uri.EscapeDataString(TemplateId));
        await scoped.WaitUntilInteractiveAsync();
        await Assertions.Expect(scoped.Page.GetByTestId("device-count")).ToHaveTextAsync("1 device uses this template.");
        await Assertions.Expect(scoped.Page.GetByTestId("device-link-s-1")).ToHaveCountAsync(0);
        await scoped.Page.GetByTestId("migration-target").ClickAsync();
        await scoped.Page.Locator(".mud-popover-open").GetByText(Target).First.ClickAsync();
        await scoped.Page.GetByTestId("migrate-all").ClickAsync();
        await Assertions.Expect(scoped.Page.GetByTestId("migration-job-status")).ToHaveTextAsync("complete", new() { Timeout = 60_000 });
        await Assertions.Expect(scoped.Page.GetByTestId("migration-job-progress")).ToHaveTextAsync("1 of 1 completed, 0 failed");
        Assert.Equal(Target, await TemplateOfAsync(admin, "n-1"));
        Assert.Equal(TemplateId, await TemplateOfAsync(admin, "s-1"));
    }

    private static async Task<string?> TemplateOfAsync(HttpClient admin, string deviceId) =>
        (string?)System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync($"api/devices/{deviceId}?{DeviceApi.Version}"))!["template"];
}
