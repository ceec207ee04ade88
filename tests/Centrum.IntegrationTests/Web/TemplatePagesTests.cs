using System.Text;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The template pages against the real server, as a builder uses them: a model imported by pasting and another by
/// uploading a file; malformed JSON and an invalid model each refused with where they broke, the text kept to fix; the
/// model browsed (a component with its interface, a command's request); a device using the template listed under it;
/// delete refused while the device uses it; the device migrated to the second template by a job whose progress the page
/// shows, and the device's template read back through REST; then the emptied template deleted.
/// </summary>
public sealed class TemplatePagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string ControllerV1 = "dtmi:contoso:Controller;1";
    private const string ControllerV2 = "dtmi:contoso:Controller;2";

    /// <summary>A device Interface with a component, in one pasted document (the device's Interface first).</summary>
    private const string Pasted = """
        [
          {
            "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
            "@id": "dtmi:contoso:Controller;1",
            "@type": "Interface",
            "displayName": "Controller",
            "contents": [
              { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" },
              { "@type": "Property", "name": "serialNumber", "schema": "string" },
              { "@type": "Property", "name": "targetTemperature", "schema": "double", "writable": true },
              { "@type": ["Property", "Cloud"], "name": "customerName", "schema": "string" },
              { "@type": "Component", "name": "thermostat1", "schema": "dtmi:contoso:Thermostat;1" }
            ]
          },
          {
            "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
            "@id": "dtmi:contoso:Thermostat;1",
            "@type": "Interface",
            "contents": [
              {
                "@type": "Command",
                "name": "getMaxMinReport",
                "request": { "name": "since", "schema": "dateTime" },
                "response": { "name": "report", "schema": { "@type": "Object", "fields": [ { "name": "maxTemp", "schema": "double" } ] } }
              }
            ]
          }
        ]
        """;

    /// <summary>The next version, uploaded as a file.</summary>
    private const string Uploaded = """
        {
          "@context": "dtmi:dtdl:context;2",
          "@id": "dtmi:contoso:Controller;2",
          "@type": "Interface",
          "contents": [ { "@type": "Telemetry", "name": "temperature", "schema": "double" }, { "@type": "Telemetry", "name": "humidity", "schema": "double" } ]
        }
        """;

    /// <summary>Two DTDL errors, each with its own path.</summary>
    private const string Broken = """
        {
          "@context": "dtmi:dtdl:context;2",
          "@id": "dtmi:contoso:Broken;1",
          "@type": "Interface",
          "contents": [ { "@type": "Telemetry", "name": "t", "schema": "int" }, { "@type": "Telemetry", "name": "u", "shema": "double" } ]
        }
        """;

    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_builder_imports_browses_and_migrates_devices_between_templates()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppBuilder);
        var page = browser.Page;

        // Malformed JSON: where it broke, 1-based as an editor counts; the text stays to be fixed.
        await page.GotoAsync("templates/new");
        await browser.WaitUntilInteractiveAsync();
        const string Malformed = "{\n  \"@id\": dtmi\n}";
        await page.GetByTestId("template-json").FillAsync(Malformed);
        await page.GetByTestId("import-template").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-error-path-0")).ToHaveTextAsync("line 2, position 10");
        await Assertions.Expect(page.GetByTestId("template-json")).ToHaveValueAsync(Malformed);

        // An invalid model: each DTDL error with its path into the capability model, as REST reports them.
        await page.GetByTestId("template-json").FillAsync(Broken);
        await page.GetByTestId("import-template").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-errors")).ToContainTextAsync("capabilityModel.contents[0].schema");
        await Assertions.Expect(page.GetByTestId("import-errors")).ToContainTextAsync("capabilityModel.contents[1].shema");
        await Assertions.Expect(page.GetByTestId("template-json")).ToHaveValueAsync(Broken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync($"api/deviceTemplates/{Uri.EscapeDataString("dtmi:contoso:Broken;1")}?{DeviceApi.Version}")).StatusCode);

        // A file larger than REST accepts is refused before it is read to its end; the editor keeps what it had.
        await page.GetByTestId("template-file").SetInputFilesAsync(new FilePayload { Name = "huge.json", MimeType = "application/json", Buffer = new byte[Centrum.Templates.TemplateImport.MaxBytes + 1] });
        await Assertions.Expect(page.GetByTestId("import-error")).ToContainTextAsync("larger than");
        await Assertions.Expect(page.GetByTestId("template-json")).ToHaveValueAsync(Broken);

        // Pasted, with a display name: the template's id is the device Interface's.
        await page.GetByTestId("template-json").FillAsync(Pasted);
        await Field(page, "template-name").FillAsync("Controller v1");
        await page.GetByTestId("import-template").ClickAsync();
        await Assertions.Expect(page.GetByTestId("template-id")).ToHaveTextAsync(ControllerV1);
        var stored = JsonNode.Parse(await admin.GetStringAsync($"api/deviceTemplates/{Uri.EscapeDataString(ControllerV1)}?{DeviceApi.Version}"))!;
        Assert.Equal("Controller v1", (string)stored["displayName"]!);

        // Browsed: the component with its interface, the command's request, the cloud property, writability.
        await Assertions.Expect(page.GetByTestId("scope-interface-thermostat1")).ToHaveTextAsync("dtmi:contoso:Thermostat;1");
        await Assertions.Expect(page.GetByTestId("cmd-request-thermostat1-getMaxMinReport")).ToContainTextAsync("since: dateTime");
        await Assertions.Expect(page.GetByTestId("cmd-response-thermostat1-getMaxMinReport")).ToContainTextAsync("maxTemp: double");
        await Assertions.Expect(page.GetByTestId("cap-root-temperature")).ToContainTextAsync("degreeCelsius");
        await Assertions.Expect(page.GetByTestId("cap-access-root-targetTemperature")).ToHaveTextAsync("writable");
        await Assertions.Expect(page.GetByTestId("cap-access-root-serialNumber")).ToHaveTextAsync("read-only");
        await Assertions.Expect(page.GetByTestId("cloud-customerName")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("raw-json")).ToContainTextAsync("getMaxMinReport");

        // Uploaded as a file: shown in the editor, imported under the id the document gives.
        await page.GotoAsync("templates/new");
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("template-file").SetInputFilesAsync(new FilePayload { Name = "controller-2.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(Uploaded) });
        await Assertions.Expect(page.GetByTestId("uploaded-file")).ToHaveTextAsync("controller-2.json");
        await Assertions.Expect(page.GetByTestId("template-json")).ToHaveValueAsync(Uploaded);
        await page.GetByTestId("import-template").ClickAsync();
        await Assertions.Expect(page.GetByTestId("template-id")).ToHaveTextAsync(ControllerV2);
        await Assertions.Expect(page.GetByTestId("cap-root-humidity")).ToBeVisibleAsync();

        // Importing the same id again is refused: an import creates, it never replaces a template unseen.
        await page.GotoAsync("templates/new");
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("template-json").FillAsync(Uploaded);
        await page.GetByTestId("import-template").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-error")).ToContainTextAsync("exists already");

        // A device using the first template is listed under it, and counted in the list.
        var created = await admin.PutAsync($"api/devices/boiler-1?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"Boiler","template":"{{ControllerV1}}"}"""));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await page.GotoAsync("templates");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("template-devices-" + ControllerV1)).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("template-devices-" + ControllerV2)).ToHaveTextAsync("0");
        await Field(page, "template-search").FillAsync("v1");
        await Assertions.Expect(page.GetByTestId("template-row-" + ControllerV2)).ToHaveCountAsync(0);
        await page.GetByTestId("template-link-" + ControllerV1).ClickAsync();
        await Assertions.Expect(page.GetByTestId("device-link-boiler-1")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("device-count")).ToHaveTextAsync("1 device uses this template.");
        await browser.WaitUntilInteractiveAsync();

        // Delete is refused while the device uses the template, with IoT Central's message.
        await page.GetByTestId("delete-template").ClickAsync();
        await page.GetByTestId("confirm-delete").ClickAsync();
        await Assertions.Expect(page.GetByTestId("template-error")).ToContainTextAsync("Devices use this template");

        // Migrated to the second template by a job; the page follows the job to its end.
        await page.GetByTestId("select-boiler-1").CheckAsync();
        await page.GetByTestId("migration-target").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(ControllerV2).First.ClickAsync();
        await page.GetByTestId("migrate-selected").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migration-job-id")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^migrate-"));
        await Assertions.Expect(page.GetByTestId("migration-job-status")).ToHaveTextAsync("complete", new() { Timeout = (float)JobTimeout.TotalMilliseconds });
        await Assertions.Expect(page.GetByTestId("migration-job-progress")).ToHaveTextAsync("1 of 1 completed, 0 failed");
        await Assertions.Expect(page.GetByTestId("device-count")).ToHaveTextAsync("No device within your reach uses this template.");
        var device = JsonNode.Parse(await admin.GetStringAsync($"api/devices/boiler-1?{DeviceApi.Version}"))!;
        Assert.Equal(ControllerV2, (string)device["template"]!);
        var jobId = await page.GetByTestId("migration-job-id").TextContentAsync();
        var job = JsonNode.Parse(await admin.GetStringAsync($"api/jobs/{jobId}?{DeviceApi.Version}"))!;
        Assert.Equal("deviceTemplateMigration", (string)job["data"]![0]!["type"]!);

        // No device uses the first template now: it may go.
        await page.GetByTestId("delete-template").ClickAsync();
        await page.GetByTestId("confirm-delete").ClickAsync();
        await Assertions.Expect(page.GetByTestId("template-not-found")).ToContainTextAsync("was deleted");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync($"api/deviceTemplates/{Uri.EscapeDataString(ControllerV1)}?{DeviceApi.Version}")).StatusCode);
        Assert.Empty(browser.ForeignRequests);
    }

    /// <summary>The input of a MudBlazor text field marked with <paramref name="testId"/> (on the field or its input).</summary>
    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
