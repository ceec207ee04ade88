using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Web.Administration;

/// <summary>
/// The data export and destination pages against the real server and a real HTTP receiver: a webhook destination and
/// an export made on the pages deliver a device's telemetry, and the export's page shows the delivered count rise and
/// the status; a destination broken from its page (an unreachable URL) shows as the export's error and growing
/// backlog; a destination's secrets never reach the page's HTML.
/// </summary>
public sealed class ExportAdminPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string HeaderSecret = "header-secret-value-42";
    private const string AuthorizationSecret = "Bearer authorization-secret-43";

    private const float DeliveryMs = 30_000;

    [Fact]
    public async Task An_export_made_on_the_pages_delivers_shows_its_figures_and_a_broken_destination_and_never_shows_a_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var deviceKey = await server.AdminHttp().CreateDeviceAsync("pump-1");
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        var page = browser.Page;

        // A webhook destination, with a secret header and a secret authorization value.
        await page.GotoAsync("administration/destinations");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "new-destination-id").FillAsync("hook");
        await page.GetByTestId("create-destination").ClickAsync();
        await Assertions.Expect(page.GetByTestId("destination-title")).ToHaveTextAsync("New destination");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "destination-name").FillAsync("Plant receiver");
        await page.GetByTestId("destination-type").SelectOptionAsync("webhook@v1");
        await Field(page, "destination-settings").FillAsync(Settings($"{receiver.Url}telemetry"));
        await page.GetByTestId("save-destination").ClickAsync();
        await Assertions.Expect(page.GetByTestId("destination-notice")).ToHaveTextAsync("Saved.");
        await AssertNoSecretAsync(page);
        await page.ReloadAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(Field(page, "destination-settings")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"\*\*\*\*\*"));
        await AssertNoSecretAsync(page);

        // An export: the area's validation errors are shown as they are, then a valid one is created.
        await page.GotoAsync("administration/exports");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "new-export-id").FillAsync("pumps");
        await page.GetByTestId("create-export").ClickAsync();
        await Assertions.Expect(page.GetByTestId("export-title")).ToHaveTextAsync("New export");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "export-name").FillAsync("Pump telemetry");
        await page.GetByTestId("use-hook").CheckAsync();
        await Field(page, "export-filter").FillAsync("SELECT * FORM devices");
        await page.GetByTestId("save-export").ClickAsync();
        await Assertions.Expect(page.GetByTestId("export-error")).ToContainTextAsync("filter:");
        await Field(page, "export-filter").FillAsync("");
        await Field(page, "export-enrichments").FillAsync("""{"site": {"value": "plant-7"}}""");
        await page.GetByTestId("save-export").ClickAsync();
        await Assertions.Expect(page.GetByTestId("export-notice")).ToHaveTextAsync("Saved.");

        // Telemetry flows; the page's figures follow without a reload.
        for (var i = 1; i <= 3; i++)
        {
            await PublishAsync(server, "pump-1", deviceKey, $$"""{"pressure":{{i}}}""");
        }

        await Assertions.Expect(page.GetByTestId("export-delivered")).ToHaveTextAsync("3", new() { Timeout = DeliveryMs });
        await Assertions.Expect(page.GetByTestId("export-status")).ToHaveTextAsync("healthy");
        await Assertions.Expect(page.GetByTestId("export-backlog")).ToHaveTextAsync("0");
        var delivered = receiver.At("/telemetry");
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, r => Assert.Equal(HeaderSecret, r.Headers["x-api-key"]));
        Assert.All(delivered, r => Assert.Equal("plant-7", (string?)r.Json["enrichments"]!["site"]));

        // Moving the destination keeps no secret sent back masked (the area refuses, and says why)...
        await page.GotoAsync("administration/destinations/hook");
        await browser.WaitUntilInteractiveAsync();
        var shown = JsonNode.Parse(await Field(page, "destination-settings").InputValueAsync())!.AsObject();
        shown["url"] = "http://127.0.0.1:9/telemetry";
        await Field(page, "destination-settings").FillAsync(shown.ToJsonString());
        await page.GetByTestId("save-destination").ClickAsync();
        await Assertions.Expect(page.GetByTestId("destination-error")).ToContainTextAsync("secret");

        // ...so it is moved with its secrets typed again, to where nothing listens.
        await Field(page, "destination-settings").FillAsync(Settings("http://127.0.0.1:9/telemetry"));
        await page.GetByTestId("save-destination").ClickAsync();
        await Assertions.Expect(page.GetByTestId("destination-notice")).ToHaveTextAsync("Saved.");
        await AssertNoSecretAsync(page);

        for (var i = 4; i <= 5; i++)
        {
            await PublishAsync(server, "pump-1", deviceKey, $$"""{"pressure":{{i}}}""");
        }

        // The export's page and the list show the error and what waits behind it.
        await page.GotoAsync("administration/exports/pumps");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("export-status")).ToHaveTextAsync("error", new() { Timeout = DeliveryMs });
        await Assertions.Expect(page.GetByTestId("export-status-error").First).ToContainTextAsync("destinationUnavailable");
        await Assertions.Expect(page.GetByTestId("export-backlog")).ToHaveTextAsync("2", new() { Timeout = DeliveryMs });
        await page.GotoAsync("administration/exports");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("status-pumps")).ToHaveTextAsync("error");
        await Assertions.Expect(page.GetByTestId("last-error-pumps")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.GetByTestId("backlog-pumps")).ToHaveTextAsync("2");
        Assert.Equal(3, receiver.At("/telemetry").Count);

        // Disabling it from the list is what REST then reports.
        await page.GetByTestId("enabled-pumps").UncheckAsync();
        await Assertions.Expect(page.GetByTestId("status-pumps")).ToHaveTextAsync("notStarted");
        var export = JsonNode.Parse(await server.AdminHttp().GetStringAsync($"api/dataExport/exports/pumps?{Export.ExportTests.Preview}"))!;
        Assert.False((bool)export["enabled"]!);
        Assert.Empty(browser.ForeignRequests);
    }

    private static string Settings(string url) => new JsonObject
    {
        ["url"] = url,
        ["headerCustomizations"] = new JsonObject { ["x-api-key"] = new JsonObject { ["value"] = HeaderSecret, ["secret"] = true } },
        ["authorization"] = new JsonObject { ["type"] = "header", ["value"] = AuthorizationSecret },
    }.ToJsonString();

    /// <summary>Neither secret is anywhere in the page: its HTML, nor the value of a field (which the HTML does not carry).</summary>
    private static async Task AssertNoSecretAsync(IPage page)
    {
        var html = await page.ContentAsync();
        var settings = await Field(page, "destination-settings").InputValueAsync();
        foreach (var secret in new[] { HeaderSecret, AuthorizationSecret })
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, settings, StringComparison.Ordinal);
        }
    }

    private static ILocator Field(IPage page, string testId) => ProvisioningAdminPagesTests.Field(page, testId);

    private static async Task PublishAsync(CentrumServer server, string deviceId, string key, string body)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, deviceId, key, cleanSession: true));
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
            .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();
    }
}
