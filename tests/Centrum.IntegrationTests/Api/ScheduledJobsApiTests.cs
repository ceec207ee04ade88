using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Scheduled jobs through IoT Central's REST shape against the real server: create, read, list, merge-patch and delete
/// with etags; a one-off schedule a few seconds ahead that runs once on the server's clock, is listed under its jobs,
/// is audited as the platform's action and cannot be changed while its run is active; the schedule's rules as 400s;
/// organization reach. The day-by-day behaviour on a moved clock is the jobs area's tests' (JobSchedulerTests).
/// </summary>
public class ScheduledJobsApiTests
{
    private const string Template = "dtmi:com:example:Controller;1";

    private const string OrgOperator = "b4935647-30e4-4ed3-9074-dcac66c2f8ef";

    public ScheduledJobsApiTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected ScheduledJobsApiTests(MetadataStore store) => Store = store;

    protected MetadataStore Store { get; }

    [Fact]
    public async Task A_scheduled_job_is_written_read_listed_patched_and_deleted_in_iot_centrals_shape_with_etags()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await PrepareAsync(http);

        var created = await PutAsync(http, "nightly", Body("Nightly reboot", """{"start":"2030-05-24T22:29:01Z","recurrence":"daily","end":{"type":"occurrences","occurrences":3}}"""));
        Assert.Equal("nightly", (string?)created["id"]);
        Assert.Equal("Nightly reboot", (string?)created["displayName"]);
        Assert.Equal("controllers", (string?)created["group"]);
        Assert.Equal("command", (string?)created["data"]![0]!["type"]);
        Assert.Equal("""{"start":"2030-05-24T22:29:01Z","recurrence":"daily","end":{"type":"occurrences","occurrences":3}}""", created["schedule"]!.ToJsonString());
        Assert.True((bool)created["enabled"]!);
        Assert.False((bool)created["completed"]!);
        var etag = (string)created["etag"]!;

        Assert.Equal(created.ToJsonString(), (await http.GetJsonAsync("api/scheduledJobs/nightly")).ToJsonString());
        await PutAsync(http, "weekly", Body("Weekly", """{"start":"2030-06-01T00:00:00Z","recurrence":"weekly","end":{"type":"date","date":"2030-12-31"}}"""));
        var page = await http.GetJsonAsync("api/scheduledJobs?maxpagesize=1");
        Assert.Equal(["nightly"], page["value"]!.AsArray().Select(s => (string)s!["id"]!));
        var next = await http.GetAsync((string)page["nextLink"]!);
        Assert.Equal(["weekly"], JsonNode.Parse(await next.Content.ReadAsStringAsync())!["value"]!.AsArray().Select(s => (string)s!["id"]!));

        // A stale etag in the If-Match header or the body is refused; the current one is taken.
        await RestAuthorizationTests.AssertErrorAsync(await PatchAsync(http, "nightly", """{"enabled":false}""", ifMatch: "stale"), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        await RestAuthorizationTests.AssertErrorAsync(await PatchAsync(http, "nightly", """{"enabled":false,"etag":"stale"}"""), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        var patched = await PatchAsync(http, "nightly", """{"enabled":false,"schedule":{"recurrence":"weekly","end":null},"description":"Mondays"}""", ifMatch: etag);
        var patchedText = await patched.Content.ReadAsStringAsync();
        Assert.True(patched.StatusCode == HttpStatusCode.OK, patchedText);
        var after = JsonNode.Parse(patchedText)!;
        Assert.False((bool)after["enabled"]!);
        Assert.Equal("""{"start":"2030-05-24T22:29:01Z","recurrence":"weekly"}""", after["schedule"]!.ToJsonString());
        Assert.Equal("Mondays", (string?)after["description"]);
        Assert.Equal("Nightly reboot", (string?)after["displayName"]);
        Assert.NotEqual(etag, (string?)after["etag"]);
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/scheduledJobs/nightly?{DeviceApi.Version}", CentrumServer.Json(Body("Again", """{"start":"2030-05-24T22:29:01Z"}""", etag: etag))),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        Assert.Empty((await http.GetJsonAsync("api/scheduledJobs/nightly/jobs"))["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/scheduledJobs/nightly?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/scheduledJobs/nightly?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/scheduledJobs/nightly/jobs?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task A_one_off_schedule_runs_once_on_the_servers_clock_and_is_not_changed_while_its_run_is_active()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await PrepareAsync(http);
        var start = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        // The controller is offline and the job waits five minutes for it, so the run stays active through the test.
        var body = JsonNode.Parse(Body("Soon", $$"""{"start":"{{start}}"}"""))!;
        body["connectionTimeout"] = 300;
        await PutAsync(http, "soon", body.ToJsonString());

        JsonArray runs = [];
        await Wait.UntilAsync(async () =>
        {
            runs = (await http.GetJsonAsync("api/scheduledJobs/soon/jobs"))["value"]!.AsArray();
            return runs.Count > 0;
        }, TimeSpan.FromSeconds(30), "the scheduled job starts its run");
        var run = Assert.Single(runs)!;
        Assert.Equal("Soon - 1", (string?)run["displayName"]);
        Assert.Equal("soon", (string?)run["scheduledJobId"]);
        Assert.Equal("controllers", (string?)run["group"]);
        var jobId = (string)run["id"]!;
        Assert.True(Guid.TryParse(jobId, out _), jobId);
        Assert.True((string?)run["status"] is "pending" or "running", run.ToJsonString());
        Assert.True((bool)(await http.GetJsonAsync("api/scheduledJobs/soon"))["completed"]!);

        await RestAuthorizationTests.AssertErrorAsync(await PatchAsync(http, "soon", """{"displayName":"Later"}"""), HttpStatusCode.Conflict, "Conflict");

        JsonObject? entry = null;
        await Wait.UntilAsync(async () =>
        {
            var entries = JsonNode.Parse(await http.GetStringAsync($"api/auditLogs?maxpagesize=100&{DeviceApi.Version}"))!["value"]!.AsArray();
            entry = entries.Select(e => e!.AsObject()).FirstOrDefault(e => (string?)e["resource"]!["type"] == "job" && (string?)e["resource"]!["id"] == jobId);
            return entry is not null;
        }, TimeSpan.FromSeconds(10), "the run's audit entry");
        Assert.Equal("system", (string?)entry!["actor"]!["type"]);
        Assert.Equal("scheduledJob:soon", (string?)entry["actor"]!["id"]);
        Assert.Equal("Soon - 1", (string?)entry["resource"]!["displayName"]);
        Assert.Equal(200, (int)entry["outcome"]!);

        // A schedule with an active run may still be deleted: the run is a job in its own right and goes on.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/scheduledJobs/soon?{DeviceApi.Version}")).StatusCode);
    }

    /// <summary>Each refused schedule, with the words its 400 names it by.</summary>
    private static readonly (string Schedule, string Expected)[] RefusedSchedules =
    [
        ("""{"recurrence":"daily"}""", "schedule.start"),
        ("""{"start":"tomorrow"}""", "schedule.start"),
        ("""{"start":"2030-01-01T00:00:00Z","recurrence":"hourly"}""", "schedule.recurrence"),
        ("""{"start":"2030-01-01T00:00:00Z","end":{"type":"occurrences","occurrences":2}}""", "one-off"),
        ("""{"start":"2030-01-01T00:00:00Z","recurrence":"daily","end":{"type":"date","date":"2029-12-31"}}""", "before schedule.start"),
        ("""{"start":"2030-01-01T00:00:00Z","recurrence":"daily","end":{"type":"occurrences","occurrences":1000}}""", "between 1 and 999"),
        ("""{"start":"2030-01-01T00:00:00Z","recurrence":"daily","end":{"type":"forever"}}""", "schedule.end"),
        ("""{"start":"2030-01-01T00:00:00Z","every":"day"}""", "Unknown field 'every'"),
    ];

    [Fact]
    public async Task A_schedule_that_breaks_the_rules_is_refused_with_a_400_that_names_it()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await PrepareAsync(http);

        foreach (var (schedule, expected) in RefusedSchedules)
        {
            var response = await http.PutAsync($"api/scheduledJobs/bad?{DeviceApi.Version}", CentrumServer.Json(Body("Bad", schedule)));

            await RestAuthorizationTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(text.Contains(expected, StringComparison.Ordinal), $"{schedule}: {text}");
        }

        await RestAuthorizationTests.AssertErrorAsync(await http.PutAsync($"api/scheduledJobs/bad?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"No schedule","group":"controllers","data":[]}""")),
            HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/scheduledJobs/bad?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task A_definition_a_job_would_refuse_is_refused_and_an_organization_scoped_caller_stays_within_reach()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await PrepareAsync(admin);
        var schedule = """{"start":"2030-01-01T00:00:00Z","recurrence":"monthly"}""";
        var noGroup = JsonNode.Parse(Body("No group", schedule))!;
        noGroup["group"] = "missing";
        await RestAuthorizationTests.AssertErrorAsync(await admin.PutAsync($"api/scheduledJobs/x?{DeviceApi.Version}", CentrumServer.Json(noGroup.ToJsonString())), HttpStatusCode.BadRequest, "BadRequest");
        var wrongCommand = Body("Wrong", schedule).Replace("\"reboot\"", "\"explode\"", StringComparison.Ordinal);
        await RestAuthorizationTests.AssertErrorAsync(await admin.PutAsync($"api/scheduledJobs/x?{DeviceApi.Version}", CentrumServer.Json(wrongCommand)), HttpStatusCode.BadRequest, "BadRequest");

        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/deviceGroups/north-controllers?{DeviceApi.Version}",
            CentrumServer.Json("""{"displayName":"North","filter":"SELECT * FROM devices","organizations":["north"]}"""))).StatusCode);
        await PutAsync(admin, "everywhere", Body("Everywhere", schedule));
        var issued = await admin.PutAsync($"api/apiTokens/north-operator?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{"role":"{{OrgOperator}}","organization":"north"}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        using var north = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

        Assert.Empty((await north.GetJsonAsync("api/scheduledJobs"))["value"]!.AsArray());
        await RestAuthorizationTests.AssertErrorAsync(await north.GetAsync($"api/scheduledJobs/everywhere?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        var mine = JsonNode.Parse(Body("Mine", schedule))!;
        mine["group"] = "north-controllers";
        await RestAuthorizationTests.AssertErrorAsync(await north.PutAsync($"api/scheduledJobs/mine?{DeviceApi.Version}", CentrumServer.Json(mine.ToJsonString())), HttpStatusCode.Forbidden, "Forbidden");
        mine["organizations"] = new JsonArray("south");
        await RestAuthorizationTests.AssertErrorAsync(await north.PutAsync($"api/scheduledJobs/mine?{DeviceApi.Version}", CentrumServer.Json(mine.ToJsonString())), HttpStatusCode.Forbidden, "Forbidden");
        mine["organizations"] = new JsonArray("north");
        var placed = await PutAsync(north, "mine", mine.ToJsonString());
        Assert.Equal("north", (string?)placed["organizations"]![0]);
        Assert.Equal(["mine"], (await north.GetJsonAsync("api/scheduledJobs"))["value"]!.AsArray().Select(s => (string)s!["id"]!));
        Assert.Equal(2, (await admin.GetJsonAsync("api/scheduledJobs"))["value"]!.AsArray().Count);
        // The organization operator may not delete (IoT Central's predefined role).
        Assert.Equal(HttpStatusCode.Forbidden, (await north.DeleteAsync($"api/scheduledJobs/mine?{DeviceApi.Version}")).StatusCode);
    }

    private static async Task PrepareAsync(HttpClient http)
    {
        var template = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Template)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Controller","capabilityModel":{"@id":"{{{Template}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[{"@type":"Command","name":"reboot"}]}}
            """));
        Assert.True(template.StatusCode == HttpStatusCode.OK, await template.Content.ReadAsStringAsync());
        await http.CreateDeviceAsync("controller-1", $$"""{"template":"{{Template}}"}""");
        var group = await http.PutAsync($"api/deviceGroups/controllers?{DeviceApi.Version}",
            CentrumServer.Json($$"""{"displayName":"Controllers","filter":"SELECT * FROM devices WHERE $template = \"{{Template}}\""}"""));
        Assert.True(group.StatusCode == HttpStatusCode.OK, await group.Content.ReadAsStringAsync());
    }

    private static string Body(string displayName, string schedule, string? etag = null) =>
        $$"""{"displayName":"{{displayName}}","description":"","group":"controllers","data":[{"type":"command","target":"{{Template}}","path":"reboot","value":null}],"schedule":{{schedule}}{{(etag is null ? "" : $",\"etag\":\"{etag}\"")}}}""";

    private static async Task<JsonObject> PutAsync(HttpClient http, string id, string body)
    {
        var response = await http.PutAsync($"api/scheduledJobs/{id}?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient http, string id, string patch, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/scheduledJobs/{id}?{DeviceApi.Version}")
        {
            Content = new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{ifMatch}\""));
        }

        return await http.SendAsync(request);
    }
}

/// <summary>The same tests with the metadata in PostgreSQL (the scheduler's claim and the run ids read back from it).</summary>
public sealed class ScheduledJobsApiTestsOnPostgreSql() : ScheduledJobsApiTests(MetadataStore.PostgreSql);
