using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Dashboards through IoT Central's preview REST shape against the real server: every published example dashboard
/// (every tile type they show) round trips, lists page and filter, ETags guard changes, refusals come in IoT Central's
/// error shape and changes are audited; a personal dashboard is its owner's alone, and an organization-scoped caller
/// sees and places application dashboards only within reach.
/// </summary>
public class DashboardsApiTests
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string OrgOperator = "b4935647-30e4-4ed3-9074-dcac66c2f8ef";
    private const string OrgViewer = "84cc62c1-dabe-49d3-b16e-8b291232b285";
    private const string AppOperator = "ae2c9854-393b-4f97-8c42-479d70ce626e";

    public DashboardsApiTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected DashboardsApiTests(MetadataStore store) => Store = store;

    protected MetadataStore Store { get; }

    [Fact]
    public async Task Published_examples_round_trip_list_by_page_and_filter_and_changes_are_guarded_by_etag_and_audited()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        var examples = Directory.GetFiles(Path.Combine(Repository.Root, "tests", "iotcentral-api", "preview", "2022-10-31-preview", "examples"), "dashboards_create*.json")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(13, examples.Count);
        var ids = new List<string>();
        foreach (var file in examples)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var body = JsonNode.Parse(await File.ReadAllTextAsync(file))!["parameters"]!["body"]!.AsObject();
            body["displayName"] = name;
            var id = "urn:example:" + name.Replace("_", "", StringComparison.Ordinal);
            var created = await PutAsync(http, id, body);
            Assert.Equal(name, (string?)created["displayName"]);
            Assert.False((bool)created["personal"]!);
            AssertSameTiles(body["tiles"]!.AsArray(), created["tiles"]!.AsArray());
            AssertSameTiles(body["tiles"]!.AsArray(), (await GetAsync(http, $"api/dashboards/{id}"))["tiles"]!.AsArray());
            ids.Add(id);
        }

        // Pages of five by nextLink, in displayName order; a filter narrows them.
        var listed = new List<string>();
        var next = $"api/dashboards?{Preview}&maxpagesize=5&orderby=displayName";
        while (next is not null)
        {
            var page = await GetAsync(http, next);
            listed.AddRange(page["value"]!.AsArray().Select(d => (string)d!["id"]!));
            next = (string?)page["nextLink"];
        }

        Assert.Equal(ids, listed);
        var filtered = await GetAsync(http, $"api/dashboards?{Preview}&filter={Uri.EscapeDataString("contains(displayName, 'state')")}");
        Assert.Equal(["urn:example:dashboardscreatestate", "urn:example:dashboardscreatestatehistory"], filtered["value"]!.AsArray().Select(d => (string)d!["id"]!).Order(StringComparer.Ordinal));

        // A merge patch with the current etag changes the name and keeps the tiles; a stale one (body or If-Match) is refused.
        const string line = "urn:example:dashboardscreateline";
        var before = await GetAsync(http, $"api/dashboards/{line}");
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PatchAsync($"api/dashboards/{line}?{Preview}", CentrumServer.Json("""{"etag":"stale","displayName":"Lost"}""")), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        using (var request = new HttpRequestMessage(HttpMethod.Patch, $"api/dashboards/{line}?{Preview}") { Content = CentrumServer.Json("""{"displayName":"Lost"}""") })
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"stale\""));
            await RestAuthorizationTests.AssertErrorAsync(await http.SendAsync(request), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Patch, $"api/dashboards/{line}?{Preview}") { Content = CentrumServer.Json("""{"displayName":"New Dashboard Name","favorite":true}""") })
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{(string)before["etag"]!}\""));
            var patched = await http.SendAsync(request);
            Assert.True(patched.StatusCode == HttpStatusCode.OK, await patched.Content.ReadAsStringAsync());
        }

        var after = await GetAsync(http, $"api/dashboards/{line}");
        Assert.Equal("New Dashboard Name", (string?)after["displayName"]);
        Assert.True((bool)after["favorite"]!);
        Assert.NotEqual((string?)before["etag"], (string?)after["etag"]);
        Assert.True(JsonNode.DeepEquals(before["tiles"], after["tiles"]));

        // Refusals in IoT Central's error shape, naming what is wrong; nothing is stored.
        var unknownType = await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json(
            """{"displayName":"Bad","tiles":[{"displayName":"T","configuration":{"type":"gauge"},"x":0,"y":0,"width":1,"height":1}]}"""));
        await RestAuthorizationTests.AssertErrorAsync(unknownType, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("tiles[0].configuration.type 'gauge' is not a tile type", await unknownType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var tooWide = await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json(
            """{"displayName":"Bad","tiles":[{"displayName":"T","configuration":{"type":"markdown","description":"d"},"x":0,"y":0,"width":11,"height":1}]}"""));
        await RestAuthorizationTests.AssertErrorAsync(tooWide, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("tiles[0].width must be between 1 and 10", await tooWide.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var tile = """{"displayName":"T","configuration":{"type":"markdown","description":"d"},"x":0,"y":0,"width":1,"height":1}""";
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json($$"""{"displayName":"Bad","tiles":[{{string.Join(",", Enumerable.Repeat(tile, 101))}}]}""")),
            HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json("""{"displayName":"Bad","colour":"red"}""")), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/dashboards/bad!id?{Preview}", CentrumServer.Json("""{"displayName":"Bad"}""")), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(
            await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json("""{"displayName":"Bad","tiles":[""" + new string('[', 80) + new string(']', 80) + "]}")),
            HttpStatusCode.BadRequest, "BadRequest");
        // An escaped unpaired surrogate is no Unicode text (RFC 8259 §8.2), in a member name, a field or a tile.
        foreach (var body in new[]
        {
            """{"displayName":"\ud800"}""",
            """{"displayName":"Bad","\ud800":1}""",
            """{"displayName":"Bad","tiles":[{"displayName":"\udc00","configuration":{"type":"markdown","description":"d"},"x":0,"y":0,"width":1,"height":1}]}""",
            """{"displayName":"Bad","tiles":[{"displayName":"T","configuration":{"type":"command","command":"c","device":{"\ud800x":"\ud800"}},"x":0,"y":0,"width":1,"height":1}]}""",
        })
        {
            await RestAuthorizationTests.AssertErrorAsync(await http.PutAsync($"api/dashboards/bad?{Preview}", CentrumServer.Json(body)), HttpStatusCode.BadRequest, "BadRequest");
        }

        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/dashboards?{DeviceApi.Version}"), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/dashboards?{Preview}&maxpagesize=101"), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/dashboards/bad?{Preview}"), HttpStatusCode.NotFound, "NotFound");

        // A tile whose device group is deleted stays, naming the group, as in IoT Central (it then shows nothing).
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceGroups/fleet?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Fleet","filter":"SELECT * FROM devices"}"""))).StatusCode);
        await PutAsync(http, "fleet", JsonNode.Parse("""
            {"displayName":"Fleet","tiles":[{"displayName":"Count","configuration":{"type":"deviceCount","group":"fleet"},"x":0,"y":0,"width":2,"height":1}]}
            """)!.AsObject());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/deviceGroups/fleet?{DeviceApi.Version}")).StatusCode);
        Assert.Equal("fleet", (string?)(await GetAsync(http, "api/dashboards/fleet"))["tiles"]![0]!["configuration"]!["group"]);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/dashboards/{line}?{Preview}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/dashboards/{line}?{Preview}"), HttpStatusCode.NotFound, "NotFound");

        var entries = new List<JsonObject>();
        await Wait.UntilAsync(async () =>
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"api/auditLogs?maxpagesize=100&{DeviceApi.Version}"))!["value"]!.AsArray();
            entries = page.Select(e => e!.AsObject()).Where(e => (string?)e["resource"]!["type"] == "dashboard" && (string?)e["resource"]!["id"] == line).ToList();
            return entries.Count >= 5;
        }, TimeSpan.FromSeconds(10), "the dashboard's audit entries");
        Assert.Equal([204, 200, 412, 412, 200], entries.Select(e => (int)e["outcome"]!));
    }

    [Fact]
    public async Task Personal_dashboards_are_their_owners_alone_and_application_dashboards_stay_within_reach()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "north", "south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        using var alice = await TokenAsync(server, admin, "alice", AppOperator, null);
        using var bob = await TokenAsync(server, admin, "bob", AppOperator, null);
        using var northOperator = await TokenAsync(server, admin, "north-operator", OrgOperator, "north");
        using var northViewer = await TokenAsync(server, admin, "north-viewer", OrgViewer, "north");

        // Alice's personal dashboard: nobody else sees, lists, changes, replaces or deletes it.
        var mine = await PutAsync(alice, "mine", JsonNode.Parse("""{"displayName":"Mine","personal":true}""")!.AsObject());
        Assert.True((bool)mine["personal"]!);
        await RestAuthorizationTests.AssertErrorAsync(await bob.GetAsync($"api/dashboards/mine?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        Assert.DoesNotContain("mine", await IdsAsync(bob));
        await RestAuthorizationTests.AssertErrorAsync(await bob.PatchAsync($"api/dashboards/mine?{Preview}", CentrumServer.Json("""{"displayName":"Taken"}""")), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await bob.PutAsync($"api/dashboards/mine?{Preview}", CentrumServer.Json("""{"displayName":"Taken"}""")), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await bob.DeleteAsync($"api/dashboards/mine?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await admin.GetAsync($"api/dashboards/mine?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        Assert.Contains("mine", await IdsAsync(alice));
        await RestAuthorizationTests.AssertErrorAsync(
            await alice.PatchAsync($"api/dashboards/mine?{Preview}", CentrumServer.Json("""{"personal":false}""")), HttpStatusCode.BadRequest, "BadRequest");
        await RestAuthorizationTests.AssertErrorAsync(
            await alice.PutAsync($"api/dashboards/placed?{Preview}", CentrumServer.Json("""{"displayName":"Placed","personal":true,"organizations":["north"]}""")), HttpStatusCode.BadRequest, "BadRequest");

        // Application dashboards: the organization operator places them only in its organization.
        await PutAsync(admin, "wide", JsonNode.Parse("""{"displayName":"Wide"}""")!.AsObject());
        await PutAsync(admin, "south", JsonNode.Parse("""{"displayName":"South","organizations":["south"]}""")!.AsObject());
        await PutAsync(northOperator, "north", JsonNode.Parse("""{"displayName":"North","organizations":["north"]}""")!.AsObject());
        await RestAuthorizationTests.AssertErrorAsync(
            await northOperator.PutAsync($"api/dashboards/grab?{Preview}", CentrumServer.Json("""{"displayName":"Grab","organizations":["south"]}""")), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(
            await northOperator.PutAsync($"api/dashboards/grab?{Preview}", CentrumServer.Json("""{"displayName":"Grab"}""")), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(
            await northOperator.PatchAsync($"api/dashboards/north?{Preview}", CentrumServer.Json("""{"organizations":["south"]}""")), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await northOperator.GetAsync($"api/dashboards/south?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(["north"], await IdsAsync(northOperator));
        Assert.Equal(["mine", "north", "south", "wide"], await IdsAsync(alice));

        // The viewer reads its organization's dashboard, makes none for the organization, but keeps personal ones.
        Assert.Equal(["north"], await IdsAsync(northViewer));
        await RestAuthorizationTests.AssertErrorAsync(
            await northViewer.PutAsync($"api/dashboards/viewed?{Preview}", CentrumServer.Json("""{"displayName":"Viewed","organizations":["north"]}""")), HttpStatusCode.Forbidden, "Forbidden");
        // What it may read but not change is forbidden to it, not missing.
        await RestAuthorizationTests.AssertErrorAsync(
            await northViewer.PatchAsync($"api/dashboards/north?{Preview}", CentrumServer.Json("""{"displayName":"Changed"}""")), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await northViewer.DeleteAsync($"api/dashboards/north?{Preview}"), HttpStatusCode.Forbidden, "Forbidden");
        await RestAuthorizationTests.AssertErrorAsync(await northViewer.DeleteAsync($"api/dashboards/south?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        await PutAsync(northViewer, "viewer:notes", JsonNode.Parse("""{"displayName":"Notes","personal":true}""")!.AsObject());
        Assert.Equal(["north", "viewer:notes"], await IdsAsync(northViewer));
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"api/dashboards/mine?{Preview}")).StatusCode);
    }

    [Fact]
    public async Task A_removed_members_personal_dashboards_go_with_them_and_the_application_dashboards_they_made_stay()
    {
        const string password = "Correct-horse-battery-9";
        await using var server = await CentrumServer.StartAsync(store: Store);
        var admin = server.AdminHttp();
        using var bob = await TokenAsync(server, admin, "bob", AppOperator, null);
        using var carol = await TokenAsync(server, admin, "carol", AppOperator, null);
        await server.RunCliAsync("user", "create", "--email", "alice@example.com", "--password", password);
        var alice = await SignedInMemberAsync(server, admin, password);

        // Each makes a personal dashboard and an application dashboard; carol stays a member throughout.
        foreach (var (member, name) in new[] { (alice, "alice"), (bob, "bob"), (carol, "carol") })
        {
            await PutAsync(member, $"{name}:own", JsonNode.Parse($$"""{"displayName":"{{name}}'s","personal":true}""")!.AsObject());
            await PutAsync(member, $"{name}:shared", JsonNode.Parse($$"""{"displayName":"By {{name}}"}""")!.AsObject());
        }

        Assert.Contains("alice:own", await IdsAsync(alice));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/users/alice?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/apiTokens/bob?{DeviceApi.Version}")).StatusCode);
        alice.Dispose();

        // Made members again under the same email and token id (the same member as dashboards record their owner), they
        // find nothing of before: the personal dashboards went with the removal, not merely out of sight.
        using var aliceAgain = await SignedInMemberAsync(server, admin, password);
        using var bobAgain = await TokenAsync(server, admin, "bob", AppOperator, null);
        string[] shared = ["alice:shared", "bob:shared", "carol:shared"];
        Assert.Equal(shared, await IdsAsync(aliceAgain));
        Assert.Equal(shared, await IdsAsync(bobAgain));
        Assert.Equal(shared.Append("carol:own").Order(StringComparer.Ordinal), await IdsAsync(carol));
        await RestAuthorizationTests.AssertErrorAsync(await aliceAgain.GetAsync($"api/dashboards/alice:own?{Preview}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await bobAgain.GetAsync($"api/dashboards/bob:own?{Preview}"), HttpStatusCode.NotFound, "NotFound");

        // The ids are free again: a new personal dashboard under the old id is the new member's.
        await PutAsync(bobAgain, "bob:own", JsonNode.Parse("""{"displayName":"bob's, again","personal":true}""")!.AsObject());
        Assert.Equal("bob's, again", (string?)(await GetAsync(bobAgain, "api/dashboards/bob:own"))["displayName"]);
    }

    /// <summary>alice@example.com made a member (operator) and signed in with a session cookie of her own.</summary>
    private static async Task<HttpClient> SignedInMemberAsync(CentrumServer server, HttpClient admin, string password)
    {
        var member = await admin.PutAsync($"api/users/alice?{DeviceApi.Version}", CentrumServer.Json($$"""{"type":"email","email":"alice@example.com","roles":[{"role":"{{AppOperator}}"}]}"""));
        Assert.True(member.StatusCode == HttpStatusCode.OK, await member.Content.ReadAsStringAsync());
        var session = server.Http();
        var signedIn = await session.PostAsync("account/signin", CentrumServer.Json($$"""{"email":"alice@example.com","password":"{{password}}","application":"default"}"""));
        Assert.True(signedIn.StatusCode == HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync());
        return session;
    }

    private static async Task<HttpClient> TokenAsync(CentrumServer server, HttpClient admin, string id, string role, string? organization)
    {
        var assignment = organization is null ? $$"""{"role":"{{role}}"}""" : $$"""{"role":"{{role}}","organization":"{{organization}}"}""";
        var issued = await admin.PutAsync($"api/apiTokens/{id}?{DeviceApi.Version}", CentrumServer.Json($$"""{"roles":[{{assignment}}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        return server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);
    }

    private static async Task<JsonObject> PutAsync(HttpClient http, string id, JsonObject body)
    {
        var response = await http.PutAsync($"api/dashboards/{id}?{Preview}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path.Contains('?', StringComparison.Ordinal) ? path : $"{path}?{Preview}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<List<string>> IdsAsync(HttpClient http) =>
        (await GetAsync(http, $"api/dashboards?{Preview}&maxpagesize=100"))["value"]!.AsArray().Select(d => (string)d!["id"]!).Order(StringComparer.Ordinal).ToList();

    /// <summary>The tiles as sent, each now with an id the server gave it.</summary>
    private static void AssertSameTiles(JsonArray sent, JsonArray answered)
    {
        Assert.Equal(sent.Count, answered.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            var tile = answered[i]!.DeepClone().AsObject();
            Assert.Equal(32, ((string?)tile["id"])?.Length);
            tile.Remove("id");
            Assert.True(JsonNode.DeepEquals(sent[i], tile), $"sent {sent[i]!.ToJsonString()}\nanswered {tile.ToJsonString()}");
        }
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class DashboardsApiTestsOnPostgreSql() : DashboardsApiTests(MetadataStore.PostgreSql);
