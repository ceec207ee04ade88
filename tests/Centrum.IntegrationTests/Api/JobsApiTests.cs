using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Jobs through IoT Central's REST shape against the real server: create and start, read, list and page, refusals in
/// IoT Central's error shape, stop and resume and the status they leave, who may act, organization reach over groups,
/// explicit device lists and the jobs themselves, and the audit entries that name the job.
/// </summary>
public class JobsApiTests
{
    private const string Template = "dtmi:com:example:JobFan;1";
    private const string OperatorRole = "ae2c9854-393b-4f97-8c42-479d70ce626e";
    private const string OrgOperatorRole = "b4935647-30e4-4ed3-9074-dcac66c2f8ef";
    private const string OrgViewerRole = "84cc62c1-dabe-49d3-b16e-8b291232b285";

    /// <summary>A job just created is pending (waiting for a running slot) or running.</summary>
    private static readonly string[] Started = ["pending", "running"];

    private static readonly string[] ExplicitTargets = ["fan-a", "fan-b"];

    public JobsApiTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected JobsApiTests(MetadataStore store) => Store = store;

    protected MetadataStore Store { get; }

    [Fact]
    public async Task A_job_is_created_read_listed_and_paged_newest_first()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await SetUpFleetAsync(http);

        var created = await PutJobAsync(http, "fan-1", JobBody("Fan speed 3", group: "fans"));
        Assert.Equal("fan-1", (string?)created["id"]);
        Assert.Equal("Fan speed 3", (string?)created["displayName"]);
        Assert.Equal("fans", (string?)created["group"]);
        Assert.Contains((string?)created["status"], Started);
        var entry = created["data"]![0]!;
        Assert.Equal(("property", Template, "fanSpeed", 3.0), ((string?)entry["type"], (string?)entry["target"], (string?)entry["path"], (double)entry["value"]!));
        Assert.NotNull(created["progress"]);

        // The runner moves the job on between the two answers (its targets listed, devices started); the rest reads back as created.
        var read = await http.GetJsonAsync("api/jobs/fan-1");
        Assert.Equal(WithoutProgress(created), WithoutProgress(read));

        // Centrum's extensions come back as sent.
        var extended = JobBody("Paced", devices: ["fan-a", "fan-b"]);
        extended["connectionTimeout"] = 120;
        extended["queueIfOffline"] = true;
        extended["rollout"] = new JsonObject { ["devicesPerMinute"] = 10, ["incrementFactor"] = 2, ["successesPerIncrement"] = 5, ["maximumPerMinute"] = 100 };
        extended["abort"] = new JsonObject { ["failureRate"] = 50, ["minimumDevices"] = 4 };
        extended["batch"] = new JsonObject { ["type"] = "percentage", ["value"] = 50 };
        extended["cancellationThreshold"] = new JsonObject { ["type"] = "number", ["value"] = 2, ["batch"] = true };
        var paced = await PutJobAsync(http, "paced", extended);
        Assert.Equal(["fan-a", "fan-b"], paced["devices"]!.AsArray().Select(d => (string)d!));
        Assert.Null(paced["group"]);
        Assert.Equal(120, (int)paced["connectionTimeout"]!);
        Assert.True((bool)paced["queueIfOffline"]!);
        Assert.Equal(extended["rollout"]!.ToJsonString(), paced["rollout"]!.ToJsonString());
        Assert.Equal(50, (double)paced["abort"]!["failureRate"]!);
        Assert.Equal("percentage", (string?)paced["batch"]!["type"]);
        Assert.True((bool)paced["cancellationThreshold"]!["batch"]!);

        for (var i = 0; i < 23; i++)
        {
            await PutJobAsync(http, $"bulk-{i:D2}", JobBody($"Bulk {i}", group: "fans"));
        }

        var ids = new List<string>();
        var next = "api/jobs?api-version=2022-10-31-preview&maxpagesize=10";
        var pages = 0;
        while (next is not null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(next))!;
            ids.AddRange(page["value"]!.AsArray().Select(j => (string)j!["id"]!));
            next = (string?)page["nextLink"];
            Assert.True(next is null || next.Contains("maxpagesize=10", StringComparison.Ordinal), next);
            pages++;
        }

        string[] expected = [.. Enumerable.Range(0, 23).Reverse().Select(i => $"bulk-{i:D2}"), "paced", "fan-1"];
        Assert.Equal(expected, ids);
        Assert.Equal(3, pages);
        Assert.Equal(expected.Take(25), (await http.GetJsonAsync("api/jobs"))["value"]!.AsArray().Select(j => (string)j!["id"]!));
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs?{DeviceApi.Version}&maxpagesize=101"), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs?{DeviceApi.Version}&maxpagesize=0"), HttpStatusCode.BadRequest, "BadRequest");
        var notNumber = await http.GetAsync($"api/jobs?{DeviceApi.Version}&maxpagesize=abc");
        Assert.Contains("'maxpagesize'", await notNumber.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await RestAuthorizationTests.AssertErrorAsync(notNumber, HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs?{DeviceApi.Version}&$skiptoken=bm90LWEtY3Vyc29y"), HttpStatusCode.BadRequest, "BadRequest");

        // The job's devices page through the same way, whatever the runner has listed so far.
        var devices = JsonNode.Parse(await http.GetStringAsync($"api/jobs/paced/devices?{DeviceApi.Version}&maxpagesize=1"))!;
        Assert.All(devices["value"]!.AsArray(), d => Assert.Contains((string?)d!["id"], ExplicitTargets));
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs/paced/devices?{DeviceApi.Version}&maxpagesize=101"), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task Refusals_answer_in_IoT_Centrals_shape_and_name_what_is_wrong()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await SetUpFleetAsync(http);

        async Task RefusedAsync(string id, JsonNode body, HttpStatusCode status, string code, string mentions)
        {
            var response = await http.PutAsync($"api/jobs/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
            var text = await response.Content.ReadAsStringAsync();
            await RestAuthorizationTests.AssertErrorAsync(response, status, code);
            Assert.True(text.Contains(mentions, StringComparison.Ordinal), $"expected the message to mention '{mentions}': {text}");
        }

        var unknown = JobBody("x", group: "fans");
        unknown["colour"] = "red";
        await RefusedAsync("j", unknown, HttpStatusCode.BadRequest, "BadRequest", "'colour'");
        var wrongType = JobBody("x", group: "fans");
        wrongType["displayName"] = 5;
        await RefusedAsync("j", wrongType, HttpStatusCode.BadRequest, "BadRequest", "'displayName'");
        await RefusedAsync("j", new JsonObject { ["group"] = "fans" }, HttpStatusCode.BadRequest, "BadRequest", "'data'");
        await RefusedAsync("j", JobBody("x", group: "nowhere"), HttpStatusCode.BadRequest, "BadRequest", "device group 'nowhere' was not found");
        await RefusedAsync("j", JobBody("x", devices: ["ghost"]), HttpStatusCode.BadRequest, "BadRequest", "device 'ghost' was not found");
        var both = JobBody("x", group: "fans");
        both["devices"] = new JsonArray("fan-a");
        await RefusedAsync("j", both, HttpStatusCode.BadRequest, "BadRequest", "one of the two");
        var undeclared = JobBody("x", group: "fans");
        undeclared["data"]![0]!["path"] = "colour";
        await RefusedAsync("j", undeclared, HttpStatusCode.BadRequest, "BadRequest", "data[0]");
        var badValue = JobBody("x", group: "fans");
        badValue["data"]![0]!["value"] = "fast";
        await RefusedAsync("j", badValue, HttpStatusCode.BadRequest, "BadRequest", "data[0]");
        var mixed = JobBody("x", group: "fans");
        mixed["data"]!.AsArray().Add(new JsonObject { ["type"] = "command", ["target"] = Template, ["path"] = "reboot" });
        await RefusedAsync("j", mixed, HttpStatusCode.BadRequest, "BadRequest", "one type");
        var manifest = JobBody("x", group: "fans");
        manifest["data"] = new JsonArray(new JsonObject { ["type"] = "deviceManifestMigration", ["manifest"] = "m1" });
        await RefusedAsync("j", manifest, HttpStatusCode.BadRequest, "BadRequest", "deployment manifest 'm1' does not exist");
        var timeout = JobBody("x", group: "fans");
        timeout["connectionTimeout"] = 3601;
        await RefusedAsync("j", timeout, HttpStatusCode.BadRequest, "BadRequest", "connectionTimeout");
        var twoOrganizations = JobBody("x", group: "fans");
        twoOrganizations["organizations"] = new JsonArray("a", "b");
        await RefusedAsync("j", twoOrganizations, HttpStatusCode.BadRequest, "BadRequest", "organizations");
        await RefusedAsync("bad.id", JobBody("x", group: "fans"), HttpStatusCode.BadRequest, "BadRequest", "bad.id");
        var otherId = JobBody("x", group: "fans");
        otherId["id"] = "another";
        await RefusedAsync("j", otherId, HttpStatusCode.BadRequest, "BadRequest", "'id'");
        await RestAuthorizationTests.AssertErrorAsync(await http.PutAsync($"api/jobs/j?{DeviceApi.Version}", CentrumServer.Json("[1,")), HttpStatusCode.BadRequest, "BadRequest");
        Assert.Empty((await http.GetJsonAsync("api/jobs"))["value"]!.AsArray());

        // Unknown jobs are not found, whatever is asked of them.
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs/missing?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/jobs/missing/devices?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.PostAsync($"api/jobs/missing/stop?{DeviceApi.Version}", null), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.PostAsync($"api/jobs/missing/resume?{DeviceApi.Version}", null), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.PutAsync($"api/jobs/missing/rerun/again?{DeviceApi.Version}", null), HttpStatusCode.NotFound, "NotFound");

        // A job is started once; stop and resume move it between the statuses IoT Central names.
        await PutJobAsync(http, "once", JobBody("Once", group: "fans"));
        var again = await http.PutAsync($"api/jobs/once?{DeviceApi.Version}", CentrumServer.Json(JobBody("Once", group: "fans").ToJsonString()));
        await RestAuthorizationTests.AssertErrorAsync(again, HttpStatusCode.Conflict, "Conflict");
        await RestAuthorizationTests.AssertErrorAsync(await http.PutAsync($"api/jobs/once/rerun/once-again?{DeviceApi.Version}", null), HttpStatusCode.Conflict, "Conflict");
        await RestAuthorizationTests.AssertErrorAsync(await http.PostAsync($"api/jobs/once/resume?{DeviceApi.Version}", null), HttpStatusCode.Conflict, "Conflict");
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"api/jobs/once/stop?{DeviceApi.Version}", null)).StatusCode);
        Assert.Equal("stopped", (string?)(await http.GetJsonAsync("api/jobs/once"))["status"]);
        await RestAuthorizationTests.AssertErrorAsync(await http.PostAsync($"api/jobs/once/stop?{DeviceApi.Version}", null), HttpStatusCode.Conflict, "Conflict");
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"api/jobs/once/resume?{DeviceApi.Version}", null)).StatusCode);
        // Resumed, it waits for a running slot or runs: its devices are offline, so it is waiting for them for a minute.
        Assert.Contains((string?)(await http.GetJsonAsync("api/jobs/once"))["status"], Started);
        await RestAuthorizationTests.AssertErrorAsync(await http.PostAsync($"api/jobs/once/resume?{DeviceApi.Version}", null), HttpStatusCode.Conflict, "Conflict");
    }

    [Fact]
    public async Task An_operator_may_act_a_viewer_may_only_read_and_the_audit_log_names_the_job()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await SetUpFleetAsync(admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        using var operatorHttp = await TokenAsync(server, admin, "job-operator", OperatorRole, organization: null);
        using var viewer = await TokenAsync(server, admin, "job-viewer", OrgViewerRole, "north");

        await PutJobAsync(operatorHttp, "by-operator", JobBody("Operator's", group: "fans"));
        Assert.Equal(HttpStatusCode.NoContent, (await operatorHttp.PostAsync($"api/jobs/by-operator/stop?{DeviceApi.Version}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await operatorHttp.PostAsync($"api/jobs/by-operator/resume?{DeviceApi.Version}", null)).StatusCode);
        // Not ended yet, so it has no failures to run again; the refusal is audited too.
        await RestAuthorizationTests.AssertErrorAsync(await operatorHttp.PutAsync($"api/jobs/by-operator/rerun/by-operator-again?{DeviceApi.Version}", null), HttpStatusCode.Conflict, "Conflict");

        var northJob = JobBody("North's", devices: ["north-1"]);
        northJob["organizations"] = new JsonArray("north");
        await PutJobAsync(admin, "north-job", northJob);
        Assert.Equal("north-job", (string?)(await viewer.GetJsonAsync("api/jobs/north-job"))["id"]);
        Assert.Equal(["north-job"], (await viewer.GetJsonAsync("api/jobs"))["value"]!.AsArray().Select(j => (string)j!["id"]!));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"api/jobs/north-job/devices?{DeviceApi.Version}")).StatusCode);
        var viewerCreates = await viewer.PutAsync($"api/jobs/by-viewer?{DeviceApi.Version}", CentrumServer.Json(northJob.ToJsonString()));
        await RestAuthorizationTests.AssertErrorAsync(viewerCreates, HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await viewer.PostAsync($"api/jobs/north-job/stop?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await viewer.PostAsync($"api/jobs/north-job/resume?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await viewer.PutAsync($"api/jobs/north-job/rerun/again?{DeviceApi.Version}", null), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await admin.GetAsync($"api/jobs/by-viewer?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");

        var entries = new List<JsonObject>();
        await Wait.UntilAsync(async () =>
        {
            var page = JsonNode.Parse(await admin.GetStringAsync($"api/auditLogs?maxpagesize=100&{DeviceApi.Version}"))!["value"]!.AsArray();
            entries = page.Select(e => e!.AsObject()).Where(e => (string?)e["resource"]!["type"] == "job" && (string?)e["resource"]!["id"] == "by-operator").Reverse().ToList();
            return entries.Count >= 4;
        }, TimeSpan.FromSeconds(10), "the job's audit entries");
        Assert.Equal([200, 204, 204, 409], entries.Select(e => (int)e["outcome"]!));
        Assert.Equal("Operator's", (string?)entries[0]["resource"]!["displayName"]);
        Assert.Equal(["/api/jobs/by-operator", "/api/jobs/by-operator/stop", "/api/jobs/by-operator/resume", "/api/jobs/by-operator/rerun/by-operator-again"],
            entries.Select(e => (string)e["request"]!["path"]!));
    }

    [Fact]
    public async Task An_organization_scoped_caller_targets_and_sees_only_its_organization()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        await SetUpFleetAsync(admin);
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        await admin.CreateDeviceAsync("south-1", $$"""{"template":"{{Template}}","organizations":["south"]}""");
        await PutGroupAsync(admin, "south-fans", $"SELECT * FROM devices WHERE $template = \"{Template}\"", "south");
        await PutGroupAsync(admin, "north-fans", $"SELECT * FROM devices WHERE $template = \"{Template}\"", "north");
        using var north = await TokenAsync(server, admin, "north-operator", OrgOperatorRole, "north");

        async Task RefusedAsync(string id, JsonObject body, HttpStatusCode status, string code, string mentions)
        {
            var response = await north.PutAsync($"api/jobs/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
            var text = await response.Content.ReadAsStringAsync();
            await RestAuthorizationTests.AssertErrorAsync(response, status, code);
            Assert.True(text.Contains(mentions, StringComparison.Ordinal), $"expected the message to mention '{mentions}': {text}");
        }

        JsonObject InNorth(JsonObject body)
        {
            body["organizations"] = new JsonArray("north");
            return body;
        }

        // Another organization's group, an application-wide group and another organization's device are not there.
        await RefusedAsync("grab-group", InNorth(JobBody("Grab", group: "south-fans")), HttpStatusCode.BadRequest, "BadRequest", "device group 'south-fans' was not found");
        await RefusedAsync("grab-all", InNorth(JobBody("Grab", group: "fans")), HttpStatusCode.BadRequest, "BadRequest", "device group 'fans' was not found");
        await RefusedAsync("grab-device", InNorth(JobBody("Grab", devices: ["north-1", "south-1"])), HttpStatusCode.BadRequest, "BadRequest", "device 'south-1' was not found");
        // An organization-scoped caller names its organization: a job of the whole application is beyond its reach.
        await RefusedAsync("wide", JobBody("Wide", group: "north-fans"), HttpStatusCode.Forbidden, "Forbidden", "organizations");
        var elsewhere = JobBody("Elsewhere", group: "north-fans");
        elsewhere["organizations"] = new JsonArray("south");
        await RefusedAsync("elsewhere", elsewhere, HttpStatusCode.Forbidden, "Forbidden", "organizations");

        await PutJobAsync(north, "north-by-group", InNorth(JobBody("North group", group: "north-fans")));
        await PutJobAsync(north, "north-by-list", InNorth(JobBody("North list", devices: ["north-1"])));
        await PutJobAsync(admin, "app-wide", JobBody("Everything", group: "fans"));
        var southJob = JobBody("South", devices: ["south-1"]);
        southJob["organizations"] = new JsonArray("south");
        await PutJobAsync(admin, "south-job", southJob);

        Assert.Equal(["north-by-list", "north-by-group"], (await north.GetJsonAsync("api/jobs"))["value"]!.AsArray().Select(j => (string)j!["id"]!));
        Assert.Equal(["south-job", "app-wide", "north-by-list", "north-by-group"], (await admin.GetJsonAsync("api/jobs"))["value"]!.AsArray().Select(j => (string)j!["id"]!));
        foreach (var hidden in new[] { "app-wide", "south-job" })
        {
            await RestAuthorizationTests.AssertErrorAsync(await north.GetAsync($"api/jobs/{hidden}?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
            await RestAuthorizationTests.AssertErrorAsync(await north.GetAsync($"api/jobs/{hidden}/devices?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
            await RestAuthorizationTests.AssertErrorAsync(await north.PostAsync($"api/jobs/{hidden}/stop?{DeviceApi.Version}", null), HttpStatusCode.NotFound, "NotFound");
            await RestAuthorizationTests.AssertErrorAsync(await north.PutAsync($"api/jobs/{hidden}/rerun/{hidden}-again?{DeviceApi.Version}", null), HttpStatusCode.NotFound, "NotFound");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await north.PostAsync($"api/jobs/north-by-group/stop?{DeviceApi.Version}", null)).StatusCode);
    }

    private static async Task SetUpFleetAsync(HttpClient http)
    {
        var template = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Template)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Fan","capabilityModel":{"@id":"{{{Template}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
               {"@type":"Property","name":"fanSpeed","schema":"double","writable":true},
               {"@type":"Command","name":"reboot"}]}}
            """));
        Assert.True(template.StatusCode == HttpStatusCode.OK, await template.Content.ReadAsStringAsync());
        foreach (var id in new[] { "fan-a", "fan-b" })
        {
            await http.CreateDeviceAsync(id, $$"""{"template":"{{Template}}"}""");
        }

        var organization = await http.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"north"}"""));
        Assert.Equal(HttpStatusCode.OK, organization.StatusCode);
        await http.CreateDeviceAsync("north-1", $$"""{"template":"{{Template}}","organizations":["north"]}""");
        await PutGroupAsync(http, "fans", $"SELECT * FROM devices WHERE $template = \"{Template}\"");
    }

    private static JsonObject JobBody(string displayName, string? group = null, string[]? devices = null)
    {
        var body = new JsonObject
        {
            ["displayName"] = displayName,
            ["data"] = new JsonArray(new JsonObject { ["type"] = "property", ["target"] = Template, ["path"] = "fanSpeed", ["value"] = 3 }),
        };
        if (group is not null)
        {
            body["group"] = group;
        }

        if (devices is not null)
        {
            body["devices"] = new JsonArray([.. devices.Select(d => (JsonNode)d)]);
        }

        return body;
    }

    private static async Task<JsonObject> PutJobAsync(HttpClient http, string id, JsonObject body)
    {
        var response = await http.PutAsync($"api/jobs/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT job {id}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task PutGroupAsync(HttpClient http, string id, string filter, params string[] organizations)
    {
        var body = new JsonObject { ["displayName"] = id, ["filter"] = filter };
        if (organizations.Length > 0)
        {
            body["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o)]);
        }

        var response = await http.PutAsync($"api/deviceGroups/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpClient> TokenAsync(CentrumServer server, HttpClient admin, string id, string role, string? organization)
    {
        var assignment = organization is null ? $$"""{"role":"{{role}}"}""" : $$"""{"role":"{{role}}","organization":"{{organization}}"}""";
        var issued = await admin.PutAsync($"api/apiTokens/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{{assignment}}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        return server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);
    }

    private static string WithoutProgress(JsonNode job)
    {
        var copy = job.DeepClone().AsObject();
        foreach (var moving in new[] { "progress", "status", "end", "statusReason" })
        {
            copy.Remove(moving);
        }

        return copy.ToJsonString();
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class JobsApiTestsOnPostgreSql() : JobsApiTests(MetadataStore.PostgreSql);
