using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.IntegrationTests.Jobs;
using Microsoft.Playwright;
using static Centrum.IntegrationTests.Jobs.JobsRest;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The job pages against the real server and devices of the Azure IoT Node.js SDK: a property job created in the
/// browser over a device group, its progress per device followed live, stopped and resumed while it waits for a device
/// that is not connected, and seen to complete once that device connects and acknowledges the desired property; a job
/// whose value comes from the form generated from the property's DTDL schema, with batches by percentage and a rollout
/// rate; a scheduled job created, edited and deleted on its pages, read back through REST; and a template migration
/// job with abort criteria.
/// </summary>
public sealed class JobPagesTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Template = "dtmi:com:example:JobFan;1";

    private const string ModeTemplate = "dtmi:com:example:JobModeUnit;1";

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

    [Fact]
    public async Task Typed_values_from_the_generated_form_reach_the_device_and_a_scheduled_job_made_on_the_page_reads_back_through_rest()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var template = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(ModeTemplate)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Mode unit","capabilityModel":{"@id":"{{{ModeTemplate}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
               {"@type":"Property","name":"settings","writable":true,"schema":{"@type":"Object","fields":[
                 {"name":"level","schema":"integer"},
                 {"name":"mode","schema":{"@type":"Enum","valueSchema":"string","enumValues":[{"name":"eco","enumValue":"eco"},{"name":"boost","enumValue":"boost"}]}}]}},
               {"@type":"Property","name":"level","schema":"integer","writable":true}]}}
            """));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        await PutTemplateAsync(http, Template, "Fan");
        var keys = await CreateDevicesAsync(http, ["unit-1"], ModeTemplate);
        await PutGroupAsync(http, "units", $"SELECT * FROM devices WHERE $template = \"{ModeTemplate}\"");
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject { ["ack"] = new JsonObject { ["code"] = 200, ["description"] = "applied" } });
        await fleet.WaitReadyAsync(server, ["unit-1"], NodeFleet.DesiredFilter);

        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        var page = browser.Page;
        await page.GotoAsync("jobs/new");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "job-id").FillAsync("settings-job");
        await Choose(page, "job-group", "units");
        await Choose(page, "job-target", "Mode unit");
        await Choose(page, "job-path", "settings");

        // The form is the object's schema: a whole number and an enum; a value it refuses is named before anything is sent.
        await page.Locator("input[name='value.level']").FillAsync("seven");
        await page.Locator("select[name='value.mode']").SelectOptionAsync("boost");
        await page.GetByTestId("create-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("create-error")).ToContainTextAsync("'level' takes a whole number");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/jobs/settings-job?{DeviceApi.Version}")).StatusCode);

        await page.Locator("input[name='value.level']").FillAsync("7");
        await Choose(page, "job-batch-kind", "Percentage");
        await Field(page, "job-batch").FillAsync("50");
        await Field(page, "job-threshold").FillAsync("1");
        await Field(page, "job-rollout-rate").FillAsync("120");
        await page.GetByTestId("create-job").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs/settings-job$"));
        await Assertions.Expect(page.GetByTestId("job-status")).ToHaveTextAsync("Complete", new() { Timeout = 60_000 });

        // The device received the typed value: a number and the enum's value, not text.
        var received = fleet.Of("unit-1", "desired").Select(e => e["desired"]?["settings"]).Last(v => v is not null)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"level":7,"mode":"boost"}"""), received), received.ToJsonString());
        var job = await GetJobAsync(http, "settings-job");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"percentage","value":50}"""), job["batch"]), job.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"number","value":1,"batch":false}"""), job["cancellationThreshold"]), job.ToJsonString());
        Assert.Equal(120, (int?)job["rollout"]?["devicesPerMinute"]);

        // A weekly schedule of a property job, made on the scheduled jobs page.
        await browser.NavLink("Jobs").ClickAsync();
        await page.GetByTestId("scheduled-jobs-link").ClickAsync();
        await page.GetByTestId("new-scheduled-job").ClickAsync();
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "scheduled-id").FillAsync("nightly");
        await Field(page, "schedule-start").FillAsync("2030-01-15T02:30");
        await Choose(page, "schedule-recurrence", "Weekly");
        await Choose(page, "schedule-end", "After a number of runs");
        await Field(page, "schedule-occurrences").FillAsync("3");
        await Field(page, "job-name").FillAsync("Nightly level");
        await Choose(page, "job-group", "units");
        await Choose(page, "job-target", "Mode unit");
        await Choose(page, "job-path", "level");
        await page.Locator("input[name='value']").FillAsync("5");
        await page.GetByTestId("create-scheduled-job").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs/scheduled/nightly$"));
        await Assertions.Expect(page.GetByTestId("scheduled-schedule")).ToHaveTextAsync("weekly from 2030-01-15 02:30 UTC, 3 runs");

        var scheduled = await http.GetJsonAsync("api/scheduledJobs/nightly");
        Assert.Equal(new DateTimeOffset(2030, 1, 15, 2, 30, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)scheduled["schedule"]!["start"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("weekly", (string?)scheduled["schedule"]!["recurrence"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"occurrences","occurrences":3}"""), scheduled["schedule"]!["end"]), scheduled.ToJsonString());
        Assert.Equal("Nightly level", (string?)scheduled["displayName"]);
        Assert.Equal("units", (string?)scheduled["group"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"type":"property","target":"{{ModeTemplate}}","path":"level","value":5}]"""), scheduled["data"]), scheduled.ToJsonString());

        // Edited on its page: daily now, another value; REST reads the change and the end it kept.
        await Assertions.Expect(page.Locator("input[name='value']")).ToHaveValueAsync("5");
        await Choose(page, "schedule-recurrence", "Daily");
        await page.Locator("input[name='value']").FillAsync("6");
        await page.GetByTestId("save-scheduled-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved")).ToBeVisibleAsync();
        scheduled = await http.GetJsonAsync("api/scheduledJobs/nightly");
        Assert.Equal("daily", (string?)scheduled["schedule"]!["recurrence"]);
        Assert.Equal(3, (int?)scheduled["schedule"]!["end"]!["occurrences"]);
        Assert.Equal(6, (int?)scheduled["data"]![0]!["value"]);

        // A one-off schedule due now runs at once; its page lists the job it started.
        var due = new JsonObject
        {
            ["group"] = "units",
            ["data"] = new JsonArray(new JsonObject { ["type"] = "property", ["target"] = ModeTemplate, ["path"] = "level", ["value"] = 2 }),
            ["schedule"] = new JsonObject { ["start"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) },
        };
        var put = await http.PutAsync($"api/scheduledJobs/now-once?{DeviceApi.Version}", CentrumServer.Json(due.ToJsonString()));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await Wait.UntilAsync(async () => (await http.GetJsonAsync("api/scheduledJobs/now-once/jobs"))["value"]!.AsArray().Count == 1, TimeSpan.FromSeconds(30), "the one-off schedule starts its job");
        var run = (string)(await http.GetJsonAsync("api/scheduledJobs/now-once/jobs"))["value"]![0]!["id"]!;
        await page.GotoAsync("jobs/scheduled/now-once");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("run-status-" + run)).ToBeVisibleAsync();
        await page.GetByTestId("scheduled-runs").GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("job-schedule")).ToHaveTextAsync("now-once");

        // The list shows both; the weekly one is deleted on a confirming click and REST no longer finds it.
        await page.GotoAsync("jobs/scheduled");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("schedule-nightly")).ToHaveTextAsync("daily from 2030-01-15 02:30 UTC, 3 runs");
        await Assertions.Expect(page.GetByTestId("scheduled-now-once")).ToBeVisibleAsync();
        await page.GetByTestId("scheduled-nightly").GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByTestId("delete-scheduled-job").ClickAsync();
        await page.GetByTestId("confirm-delete").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs/scheduled$"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/scheduledJobs/nightly?{DeviceApi.Version}")).StatusCode);

        // A template migration job with abort criteria: the device is moved to the template chosen on the page.
        await page.GotoAsync("jobs/new");
        await browser.WaitUntilInteractiveAsync();
        await Field(page, "job-id").FillAsync("migrate");
        await Choose(page, "job-group", "units");
        await Choose(page, "job-kind", "Change device template");
        await Choose(page, "job-target", "Fan");
        await Field(page, "job-abort-rate").FillAsync("50");
        await Field(page, "job-abort-minimum").FillAsync("1");
        await page.GetByTestId("create-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("job-status")).ToHaveTextAsync("Complete", new() { Timeout = 60_000 });
        var migration = await GetJobAsync(http, "migrate");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"type":"deviceTemplateMigration","template":"{{Template}}"}]"""), migration["data"]), migration.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"failureRate":50,"minimumDevices":1}"""), migration["abort"]), migration.ToJsonString());
        Assert.Equal(Template, (string?)(await http.GetJsonAsync("api/devices/unit-1"))["template"]);
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
