using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.IntegrationTests.Jobs;
using Microsoft.Playwright;
using static Centrum.IntegrationTests.Jobs.JobsRest;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The job pages against the real server and devices of the Azure IoT Node.js SDK: a property job created in the
/// browser over a device group, its progress per device followed live, stopped and resumed while it waits for a device
/// that is not connected, and seen to complete once that device connects and acknowledges the desired property.
/// </summary>
public sealed class JobPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Template = "dtmi:com:example:JobFan;1";

    [Fact]
    public async Task A_property_job_created_in_the_browser_is_followed_stopped_resumed_and_completes()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var keys = await CreateDevicesAsync(http, ["fan-1", "fan-2"], Template);
        await PutGroupAsync(http, "fans", $"SELECT * FROM devices WHERE $template = \"{Template}\"");
        // fan-2 stays offline until the job has been stopped and resumed: the job waits for it (the default
        // connection timeout of a minute), which keeps it running long enough to stop.
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["offline"] = Ids(["fan-2"]),
            ["ack"] = new JsonObject { ["code"] = 200, ["description"] = "applied" },
        });
        await fleet.WaitReadyAsync(server, ["fan-1"], NodeFleet.DesiredFilter);

        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        var page = browser.Page;
        await browser.NavLink("Jobs").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs$"));
        await browser.WaitUntilInteractiveAsync();
        await page.GetByTestId("new-job").ClickAsync();
        await browser.WaitUntilInteractiveAsync();

        await Field(page, "job-id").FillAsync("fan-speed");
        await Field(page, "job-name").FillAsync("Fan speed 4");
        await page.GetByTestId("job-group").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("fans", new() { Exact = true }).ClickAsync();
        await Choose(page, "job-target", "Fan");
        await Choose(page, "job-path", "fanSpeed");
        await page.Locator("input[name='value']").FillAsync("4");
        await page.GetByTestId("create-job").ClickAsync();

        // The job's page follows it: fan-1 completes while fan-2 is still waited for.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs/fan-speed$"));
        await Assertions.Expect(page.GetByTestId("device-state-fan-1")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("progress-completed")).ToHaveTextAsync("Completed: 1");
        await Assertions.Expect(page.GetByTestId("device-state-fan-2")).Not.ToHaveTextAsync("Completed");

        await page.GetByTestId("stop-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("job-status")).ToHaveTextAsync("Stopped");
        Assert.Equal("stopped", (string?)(await GetJobAsync(http, "fan-speed"))["status"]);
        await page.GetByTestId("resume-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("stop-job")).ToBeVisibleAsync();
        Assert.NotEqual("stopped", (string?)(await GetJobAsync(http, "fan-speed"))["status"]);

        fleet.Connect(["fan-2"]);
        await Assertions.Expect(page.GetByTestId("job-status")).ToHaveTextAsync("Complete", new() { Timeout = 90_000 });
        await Assertions.Expect(page.GetByTestId("progress-completed")).ToHaveTextAsync("Completed: 2");
        await Assertions.Expect(page.GetByTestId("device-state-fan-2")).ToHaveTextAsync("Completed");

        // Each device received the desired property the browser set.
        foreach (var id in new[] { "fan-1", "fan-2" })
        {
            Assert.Contains(fleet.Of(id, "desired"), e => (int?)e["desired"]?["fanSpeed"] == 4);
        }

        // The list shows the job with its outcome.
        await browser.NavLink("Jobs").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-fan-speed")).ToHaveTextAsync("Complete");
        Assert.Empty(browser.ForeignRequests);
    }

    /// <summary>Picks the option shown as <paramref name="text"/> of the MudBlazor select marked <paramref name="testId"/>.</summary>
    internal static async Task Choose(IPage page, string testId, string text)
    {
        await page.GetByTestId(testId).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(text, new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
    }

    internal static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea").First;
}
