using System.Net;
using Centrum.Identity.Authorization;
using Centrum.Web.Authorization;
using Centrum.Web.Pages.Administration;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web.Administration;

/// <summary>
/// The enrollment group, data export and destination pages in the authorization matrix: each thing they do needs the
/// permission REST's same operation needs (endpoint-permissions.txt), and each predefined role is offered exactly the
/// pages and actions role-permissions.txt gives it, so a page cannot do what the role cannot.
/// </summary>
public sealed class AdminPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public void Each_thing_the_administration_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;
        const string Group = "/api/enrollmentGroups/{enrollmentGroupId}";
        const string Certificate = Group + "/certificates/{entry}";
        Assert.Equal(rest["GET /api/enrollmentGroups/"], EnrollmentGroupPagePermissions.Read.ToString());
        Assert.Equal(rest[$"GET {Group}"], EnrollmentGroupPagePermissions.Read.ToString());
        Assert.Equal(rest[$"GET {Certificate}"], EnrollmentGroupPagePermissions.Read.ToString());
        Assert.Equal(rest[$"PUT {Group}"], EnrollmentGroupPagePermissions.Create.ToString());
        Assert.Equal(rest[$"PATCH {Group}"], EnrollmentGroupPagePermissions.Update.ToString());
        Assert.Equal(rest[$"DELETE {Group}"], EnrollmentGroupPagePermissions.Delete.ToString());
        Assert.Equal(rest[$"PUT {Certificate}"], EnrollmentGroupPagePermissions.SetCertificate.ToString());
        Assert.Equal(rest[$"DELETE {Certificate}"], EnrollmentGroupPagePermissions.RemoveCertificate.ToString());
        Assert.Equal(rest[$"POST {Certificate}/generateVerificationCode"], EnrollmentGroupPagePermissions.GenerateVerificationCode.ToString());
        Assert.Equal(rest[$"POST {Certificate}/verify"], EnrollmentGroupPagePermissions.Verify.ToString());

        const string Export = "/api/dataExport/exports/{exportId}";
        const string Destination = "/api/dataExport/destinations/{destinationId}";
        Assert.Equal(rest["GET /api/dataExport/exports/"], ExportPagePermissions.ReadExports.ToString());
        Assert.Equal(rest[$"GET {Export}"], ExportPagePermissions.ReadExports.ToString());
        Assert.Equal(rest[$"PUT {Export}"], ExportPagePermissions.SaveExport.ToString());
        Assert.Equal(rest[$"PATCH {Export}"], ExportPagePermissions.SaveExport.ToString());
        Assert.Equal(rest[$"DELETE {Export}"], ExportPagePermissions.DeleteExport.ToString());
        Assert.Equal(rest["GET /api/dataExport/destinations/"], ExportPagePermissions.ReadDestinations.ToString());
        Assert.Equal(rest[$"GET {Destination}"], ExportPagePermissions.ReadDestinations.ToString());
        Assert.Equal(rest[$"PUT {Destination}"], ExportPagePermissions.SaveDestination.ToString());
        Assert.Equal(rest[$"DELETE {Destination}"], ExportPagePermissions.DeleteDestination.ToString());

        // Each page requires what reading it takes in REST, and the matrix lists it so.
        foreach (var (page, route, permission) in new (Type, string, Permission)[]
        {
            (typeof(EnrollmentGroupList), "/administration/enrollment-groups", EnrollmentGroupPagePermissions.Read),
            (typeof(EnrollmentGroupPage), "/administration/enrollment-groups/{GroupId}", EnrollmentGroupPagePermissions.Read),
            (typeof(ExportList), "/administration/exports", ExportPagePermissions.ReadExports),
            (typeof(ExportPage), "/administration/exports/{ExportId}", ExportPagePermissions.ReadExports),
            (typeof(DestinationList), "/administration/destinations", ExportPagePermissions.ReadDestinations),
            (typeof(DestinationPage), "/administration/destinations/{DestinationId}", ExportPagePermissions.ReadDestinations),
        })
        {
            var required = (RequirePermissionAttribute)Attribute.GetCustomAttribute(page, typeof(RequirePermissionAttribute))!;
            Assert.Equal(permission, required.Permission);
            Assert.Equal(permission.ToString(), rest[$"GET {route}"]);
            Assert.Equal(permission.ToString(), rest[$"POST {route}"]);
        }
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_administration_pages_and_actions_it_holds()
    {
        static bool Holds(string role, Permission permission) => PermissionTables.Holds(role, permission);

        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await ExpectOkAsync(admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}""")));
        await ExpectOkAsync(admin.PutAsync($"api/enrollmentGroups/sas?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}""")));
        await ExpectOkAsync(admin.PutAsync($"api/enrollmentGroups/cams?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Cameras","type":"iot","attestation":{"type":"x509"}}""")));
        using var ca = TestCertificates.CreateCa("Matrix CA");
        await ExpectOkAsync(admin.PutAsync($"api/enrollmentGroups/cams/certificates/primary?{DeviceApi.Version}", CentrumServer.Json($$"""{"certificate":"{{TestCertificates.Base64(ca)}}"}""")));
        await ExpectOkAsync(admin.PutAsync($"api/dataExport/destinations/hook?{Export.ExportTests.Preview}", CentrumServer.Json("""{"displayName":"Hook","type":"webhook@v1","url":"http://127.0.0.1:9/x"}""")));
        await ExpectOkAsync(admin.PutAsync($"api/dataExport/exports/e1?{Export.ExportTests.Preview}", CentrumServer.Json("""{"displayName":"E1","enabled":false,"source":"telemetry","destinations":[{"id":"hook"}]}""")));

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);
            await browser.SignInAsync(email);
            var page = browser.Page;

            async Task OpenAsync(string path, bool allowed, string content)
            {
                await page.GotoAsync(path);
                await browser.WaitUntilInteractiveAsync();
                await Assertions.Expect(page.GetByTestId(allowed ? content : "not-allowed")).ToBeVisibleAsync(new() { Timeout = 10_000 });
                await Assertions.Expect(page.GetByTestId(allowed ? "not-allowed" : content)).ToHaveCountAsync(0);
            }

            async Task OfferedAsync(string testId, bool holds) =>
                await Assertions.Expect(page.GetByTestId(testId)).ToHaveCountAsync(holds ? 1 : 0, new() { Timeout = 10_000 });

            // Enrollment groups.
            var reads = Holds(role, EnrollmentGroupPagePermissions.Read);
            await Assertions.Expect(browser.NavLink("Enrollment groups")).ToHaveCountAsync(reads ? 1 : 0);
            await OpenAsync("administration/enrollment-groups", reads, "enrollment-groups");
            if (reads)
            {
                await OfferedAsync("create-group", Holds(role, EnrollmentGroupPagePermissions.Create));
                await OpenAsync("administration/enrollment-groups/sas", true, "group-keys");
                await OfferedAsync("save-group", Holds(role, EnrollmentGroupPagePermissions.Update));
                await OfferedAsync("delete-group", Holds(role, EnrollmentGroupPagePermissions.Delete));
                await OpenAsync("administration/enrollment-groups/cams", true, "certificate-primary");
                await OfferedAsync("upload-primary", Holds(role, EnrollmentGroupPagePermissions.SetCertificate));
                await OfferedAsync("remove-primary", Holds(role, EnrollmentGroupPagePermissions.RemoveCertificate));
                var generates = Holds(role, EnrollmentGroupPagePermissions.GenerateVerificationCode);
                await OfferedAsync("generate-code-primary", generates);
                if (generates)
                {
                    await page.GetByTestId("generate-code-primary").ClickAsync();
                }

                await OfferedAsync("verify-primary", generates && Holds(role, EnrollmentGroupPagePermissions.Verify));
            }
            else
            {
                await OpenAsync("administration/enrollment-groups/sas", false, "group-keys");
            }

            // Data exports and destinations.
            var readsExports = Holds(role, ExportPagePermissions.ReadExports);
            await Assertions.Expect(browser.NavLink("Data exports")).ToHaveCountAsync(readsExports ? 1 : 0);
            await OpenAsync("administration/exports", readsExports, "exports");
            await OpenAsync("administration/exports/e1", readsExports, "export-form");
            if (readsExports)
            {
                await OfferedAsync("save-export", Holds(role, ExportPagePermissions.SaveExport));
                await OfferedAsync("delete-export", Holds(role, ExportPagePermissions.DeleteExport));
            }

            var readsDestinations = Holds(role, ExportPagePermissions.ReadDestinations);
            await Assertions.Expect(browser.NavLink("Destinations")).ToHaveCountAsync(readsDestinations ? 1 : 0);
            await OpenAsync("administration/destinations", readsDestinations, "destinations");
            if (readsDestinations)
            {
                await OfferedAsync("create-destination", Holds(role, ExportPagePermissions.SaveDestination));
                await OpenAsync("administration/destinations/hook", true, "destination-form");
                await OfferedAsync("save-destination", Holds(role, ExportPagePermissions.SaveDestination));
                await OfferedAsync("delete-destination", Holds(role, ExportPagePermissions.DeleteDestination));
            }
        }
    }

    private static async Task ExpectOkAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
