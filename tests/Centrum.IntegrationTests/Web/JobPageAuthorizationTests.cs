using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Centrum.Web.Pages.Jobs;
using Microsoft.Playwright;
using static Centrum.IntegrationTests.Jobs.JobsRest;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// The job pages in the authorization matrix: each thing they do needs the permission REST's same operation needs
/// (endpoint-permissions.txt), and each predefined role is offered exactly the actions role-permissions.txt gives it:
/// creating a job, and stopping one (resume and re-run share its permission and its rule in the page); on the scheduled
/// job pages, creating, changing and deleting a scheduled job.
/// </summary>
public sealed class JobPageAuthorizationTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Template = "dtmi:com:example:JobFan;1";

    [Fact]
    public void Each_thing_the_job_pages_do_needs_the_permission_of_the_same_rest_operation()
    {
        var rest = PermissionTables.Endpoints;

        Assert.Equal(rest["GET /api/jobs/"], JobPagePermissions.List.ToString());
        Assert.Equal(rest["GET /jobs"], JobPagePermissions.List.ToString());
        Assert.Equal(rest["GET /api/jobs/{jobId}"], JobPagePermissions.Read.ToString());
        Assert.Equal(rest["GET /api/jobs/{jobId}/devices"], JobPagePermissions.Read.ToString());
        Assert.Equal(rest["GET /jobs/{JobId}"], JobPagePermissions.Read.ToString());
        Assert.Equal(rest["PUT /api/jobs/{jobId}"], JobPagePermissions.Create.ToString());
        Assert.Equal(rest["GET /jobs/new"], JobPagePermissions.Create.ToString());
        Assert.Equal(rest["GET /api/deviceGroups/"], JobPagePermissions.ChooseGroup.ToString());
        Assert.Equal(rest["GET /api/deviceTemplates/"], JobPagePermissions.ChooseTemplate.ToString());
        Assert.Equal(rest["GET /api/deviceTemplates/{deviceTemplateId}"], JobPagePermissions.ChooseTemplate.ToString());
        Assert.Equal(rest["GET /api/scheduledJobs/"], JobPagePermissions.ScheduledList.ToString());
        Assert.Equal(rest["GET /jobs/scheduled"], JobPagePermissions.ScheduledList.ToString());
        Assert.Equal(rest["GET /api/scheduledJobs/{scheduledJobId}"], JobPagePermissions.ScheduledRead.ToString());
        Assert.Equal(rest["GET /api/scheduledJobs/{scheduledJobId}/jobs"], JobPagePermissions.ScheduledRead.ToString());
        Assert.Equal(rest["GET /jobs/scheduled/{ScheduledJobId}"], JobPagePermissions.ScheduledRead.ToString());
        Assert.Equal(rest["PUT /api/scheduledJobs/{scheduledJobId}"], JobPagePermissions.ScheduledCreate.ToString());
        Assert.Equal(rest["GET /jobs/scheduled/new"], JobPagePermissions.ScheduledCreate.ToString());
        Assert.Equal(rest["PATCH /api/scheduledJobs/{scheduledJobId}"], JobPagePermissions.ScheduledUpdate.ToString());
        Assert.Equal(rest["DELETE /api/scheduledJobs/{scheduledJobId}"], JobPagePermissions.ScheduledDelete.ToString());
        Assert.Equal(rest["POST /api/jobs/{jobId}/stop"], JobPagePermissions.Stop.ToString());
        Assert.Equal(rest["POST /api/jobs/{jobId}/resume"], JobPagePermissions.Resume.ToString());
        Assert.Equal(rest["PUT /api/jobs/{jobId}/rerun/{rerunId}"], JobPagePermissions.Rerun.ToString());
    }

    [Fact]
    public async Task Each_role_is_offered_exactly_the_job_actions_it_holds()
    {
        var table = PermissionTables.Holders;
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        await PutTemplateAsync(admin, Template, "Fan");
        var created = await admin.PutAsync($"api/devices/n-1?{DeviceApi.Version}", CentrumServer.Json($$"""{"organizations":["north"],"template":"{{Template}}"}"""));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var group = new JsonObject { ["displayName"] = "Fans", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{Template}\"", ["organizations"] = Ids(["north"]) };
        var grouped = await admin.PutAsync($"api/deviceGroups/fans?{DeviceApi.Version}", CentrumServer.Json(group.ToJsonString()));
        Assert.True(grouped.IsSuccessStatusCode, await grouped.Content.ReadAsStringAsync());
        // n-1 never connects and the job waits an hour for it: the job stays running, so stop is what it offers.
        await PutJobAsync(admin, "matrix", new JsonObject
        {
            ["group"] = "fans",
            ["organizations"] = Ids(["north"]),
            ["data"] = new JsonArray(PropertyData(Template, 2)),
            ["connectionTimeout"] = 3600,
        });
        // A scheduled job of the north organization whose start is far ahead: it stays as written while each role looks.
        var schedule = await admin.PutAsync($"api/scheduledJobs/matrix-schedule?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["group"] = "fans",
            ["organizations"] = Ids(["north"]),
            ["data"] = new JsonArray(PropertyData(Template, 3)),
            ["schedule"] = new JsonObject { ["start"] = "2030-01-01T00:00:00Z", ["recurrence"] = "daily" },
        }.ToJsonString()));
        Assert.True(schedule.IsSuccessStatusCode, await schedule.Content.ReadAsStringAsync());
        JsonObject job = null!;
        await Wait.UntilAsync(async () => (string?)(job = await GetJobAsync(admin, "matrix"))["status"] != "pending", TimeSpan.FromSeconds(30), "the job starts");
        Assert.True((string?)job["status"] == "running", job.ToJsonString());

        foreach (var (role, roleId) in PermissionTables.PredefinedRoles)
        {
            bool Holds(Permission permission) => table[permission.ToString()].Contains(role);
            await using var browser = await chromium.OpenAsync(server);
            var email = await browser.CreateMemberAsync(roleId, organization: role.StartsWith("org-", StringComparison.Ordinal) ? "north" : null);

            await browser.SignInAsync(email);
            await browser.Page.GotoAsync("jobs");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("job-matrix")).ToHaveCountAsync(Holds(JobPagePermissions.List) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("new-job")).ToHaveCountAsync(Holds(JobPagePermissions.Create) ? 1 : 0);

            var now = await GetJobAsync(admin, "matrix");
            Assert.True((string?)now["status"] == "running", $"{role}: {now.ToJsonString()}");
            await browser.Page.GotoAsync("jobs/matrix");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("job-status")).ToHaveTextAsync("Running", new() { Timeout = 10_000 });
            await Assertions.Expect(browser.Page.GetByTestId("stop-job")).ToHaveCountAsync(Holds(JobPagePermissions.Stop) ? 1 : 0);

            await browser.Page.GotoAsync("jobs/scheduled");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("scheduled-matrix-schedule")).ToHaveCountAsync(Holds(JobPagePermissions.ScheduledList) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("new-scheduled-job")).ToHaveCountAsync(Holds(JobPagePermissions.ScheduledCreate) ? 1 : 0);
            await browser.Page.GotoAsync("jobs/scheduled/matrix-schedule");
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(browser.Page.GetByTestId("scheduled-schedule")).ToHaveCountAsync(Holds(JobPagePermissions.ScheduledRead) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("save-scheduled-job")).ToHaveCountAsync(Holds(JobPagePermissions.ScheduledUpdate) ? 1 : 0);
            await Assertions.Expect(browser.Page.GetByTestId("delete-scheduled-job")).ToHaveCountAsync(Holds(JobPagePermissions.ScheduledDelete) ? 1 : 0);
        }
    }
}
