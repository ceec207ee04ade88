using System.Text;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.Security;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web.Administration;

/// <summary>
/// The enrollment group pages against the real server: a symmetric-key group created on the page provisions a Node
/// SDK device with the ID scope and the device key the page shows; an X.509 group's CA certificate uploaded on the
/// page is verified there by proof of possession (a certificate whose CN is the code the page generated, signed by
/// the CA), as REST then reports it.
/// </summary>
public sealed class ProvisioningAdminPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task A_group_created_on_the_page_provisions_a_device_with_the_key_shown_and_a_CA_is_verified_on_the_page()
    {
        await using var server = await CentrumServer.StartAsync();
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppBuilder);
        var page = browser.Page;

        // A symmetric-key group, from the list page's form.
        await page.GotoAsync("administration/enrollment-groups");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "group-id").FillAsync("web-sas");
        await Field(page, "group-name").FillAsync("Sensors on the web");
        await page.GetByTestId("create-group").ClickAsync();
        await Assertions.Expect(page.GetByTestId("group-title")).ToHaveTextAsync("Sensors on the web");
        var group = JsonNode.Parse(await server.AdminHttp().GetStringAsync($"api/enrollmentGroups/web-sas?{DeviceApi.Version}"))!;
        var groupKey = (string)group["attestation"]!["symmetricKey"]!["primaryKey"]!;

        // The keys are shown on request only; the device key is derived on the page for the id typed.
        await Assertions.Expect(page.GetByTestId("group-primary-key")).ToHaveCountAsync(0);
        await page.GetByTestId("show-keys").ClickAsync();
        await Assertions.Expect(page.GetByTestId("group-primary-key")).ToHaveTextAsync(groupKey);
        var idScope = (await page.GetByTestId("id-scope").TextContentAsync())!.Trim();
        Assert.Equal((string)group["idScope"]!, idScope);
        await Field(page, "registration-id").FillAsync("web-sensor-1");
        await page.GetByTestId("derive-key").ClickAsync();
        var derived = page.GetByTestId("derived-key");
        await Assertions.Expect(derived).ToHaveTextAsync(SymmetricKeys.DeriveDeviceKey(groupKey, "web-sensor-1"));
        var deviceKey = (await derived.TextContentAsync())!.Trim();
        await Assertions.Expect(page.GetByTestId("node-command")).ToContainTextAsync($"PROVISIONING_IDSCOPE='{idScope}'");

        // The Node SDK provisions with what the page showed, connects to the hub it was assigned and sends.
        var events = await ProvisionAsync(server, new { transport = "mqtt", idScope, registrationId = "web-sensor-1", symmetricKey = deviceKey, connect = true });
        Assert.True(events.Any(e => (string?)e["event"] == "sent"), string.Join(' ', events.Select(e => e.ToJsonString())));

        // An X.509 group: its CA certificate is uploaded as PEM, unverified until its holder proves the private key.
        using var ca = TestCertificates.CreateCa("Web CA");
        await page.GotoAsync("administration/enrollment-groups");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "group-id").FillAsync("web-x509");
        await Field(page, "group-name").FillAsync("Cameras");
        await page.GetByTestId("group-attestation").SelectOptionAsync("x509");
        await page.GetByTestId("create-group").ClickAsync();
        await Assertions.Expect(page.GetByTestId("group-attestation-type")).ToHaveTextAsync("X.509 certificates");
        await Assertions.Expect(page.GetByTestId("no-certificate-primary")).ToBeVisibleAsync();

        // What is not a certificate, or too large to be one, is refused with the reason; nothing is stored.
        await page.GetByTestId("upload-primary").SetInputFilesAsync(new FilePayload { Name = "notes.pem", MimeType = "text/plain", Buffer = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n") });
        await Assertions.Expect(page.GetByTestId("group-error")).ToContainTextAsync("not a base64 or PEM X.509 certificate");
        await page.GetByTestId("upload-primary").SetInputFilesAsync(new FilePayload { Name = "huge.cer", MimeType = "application/octet-stream", Buffer = new byte[70 * 1024] });
        await Assertions.Expect(page.GetByTestId("group-error")).ToContainTextAsync("at most 65536 bytes");
        await Assertions.Expect(page.GetByTestId("no-certificate-primary")).ToBeVisibleAsync();

        await page.GetByTestId("upload-primary").SetInputFilesAsync(new FilePayload { Name = "ca.pem", MimeType = "application/x-pem-file", Buffer = Encoding.ASCII.GetBytes(ca.ExportCertificatePem()) });
        await Assertions.Expect(page.GetByTestId("thumbprint-primary")).ToHaveTextAsync(ca.Thumbprint.ToUpperInvariant());
        await Assertions.Expect(page.GetByTestId("subject-primary")).ToHaveTextAsync("CN=Web CA");
        await Assertions.Expect(page.GetByTestId("expiry-primary")).ToContainTextAsync(ca.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("verified-primary")).ToHaveTextAsync("Not verified");

        // The verification certificate: CN = the code the page generated, signed by the CA, uploaded as a binary .cer.
        await page.GetByTestId("generate-code-primary").ClickAsync();
        var codeShown = page.GetByTestId("verification-code-primary");
        await Assertions.Expect(codeShown).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9A-F]{48}$"));
        var code = (await codeShown.TextContentAsync())!.Trim();
        using var wrongProof = TestCertificates.Issue(ca, "not-the-code", ecdsa: true, clientAuth: false);
        await page.GetByTestId("verify-primary").SetInputFilesAsync(new FilePayload { Name = "wrong.cer", MimeType = "application/pkix-cert", Buffer = wrongProof.RawData });
        await Assertions.Expect(page.GetByTestId("group-error")).ToContainTextAsync("subject CN is not the verification code");
        using var proof = TestCertificates.Issue(ca, code, ecdsa: true, clientAuth: false);
        await page.GetByTestId("verify-primary").SetInputFilesAsync(new FilePayload { Name = "proof.cer", MimeType = "application/pkix-cert", Buffer = proof.RawData });
        await Assertions.Expect(page.GetByTestId("verified-primary")).ToHaveTextAsync("Verified");

        var certificate = JsonNode.Parse(await server.AdminHttp().GetStringAsync($"api/enrollmentGroups/web-x509/certificates/primary?{DeviceApi.Version}"))!;
        Assert.True((bool)certificate["verified"]!);
        Assert.Equal(ca.Thumbprint.ToUpperInvariant(), (string?)certificate["info"]!["sha1Thumbprint"]);

        // Disabling the group from its page is what REST then reports.
        await page.GetByTestId("edit-enabled").UncheckAsync();
        await page.GetByTestId("save-group").ClickAsync();
        await Assertions.Expect(page.GetByTestId("group-enabled")).ToHaveTextAsync("Disabled");
        Assert.False((bool)JsonNode.Parse(await server.AdminHttp().GetStringAsync($"api/enrollmentGroups/web-x509?{DeviceApi.Version}"))!["enabled"]!);
        Assert.Empty(browser.ForeignRequests);
    }

    internal static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input, textarea[data-testid='{testId}'], [data-testid='{testId}'] textarea").First;

    private static Task<IReadOnlyList<JsonObject>> ProvisionAsync(CentrumServer server, object scenario)
    {
        var node = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(scenario))!.AsObject();
        node["host"] = server.Address.ToString();
        node["resolve"] = new JsonObject { ["domain"] = CentrumServer.HostName, ["address"] = server.Address.ToString() };
        return NodeDevice.RunAsync(server, node, TimeSpan.FromSeconds(90), "provision.js");
    }
}
