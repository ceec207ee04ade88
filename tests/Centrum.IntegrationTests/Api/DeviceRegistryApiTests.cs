using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>The device registry through IoT Central's REST shape.</summary>
public class DeviceRegistryApiTests : IClassFixture<SharedServer>
{
    private readonly SharedServer _shared;

    public DeviceRegistryApiTests(SharedServer shared)
        : this(MetadataStore.Sqlite, shared)
    {
    }

    protected DeviceRegistryApiTests(MetadataStore store, SharedServer shared)
    {
        Store = store;
        _shared = shared;
    }

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    [Fact]
    public async Task Devices_are_created_read_paged_patched_and_deleted()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        for (var i = 0; i < 23; i++)
        {
            await http.CreateDeviceAsync($"dev-{i:D2}", $$"""{"displayName":"Device {{i}}","simulated":{{(i % 2 == 0 ? "true" : "false")}}}""");
        }

        var ids = new List<string>();
        var next = $"api/devices?{DeviceApi.Version}&maxpagesize=10";
        var pages = 0;
        while (next is not null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(next))!;
            ids.AddRange(page["value"]!.AsArray().Select(d => (string)d!["id"]!));
            next = (string?)page["nextLink"];
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"dev-{i:D2}"), ids);

        var before = await http.GetJsonAsync("api/devices/dev-03");
        var patched = await http.PatchAsync($"api/devices/dev-03?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Renamed","enabled":false}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await http.GetJsonAsync("api/devices/dev-03");
        Assert.Equal("Renamed", (string?)after["displayName"]);
        Assert.False((bool)after["enabled"]!);
        Assert.False((bool)after["simulated"]!);
        Assert.NotEqual((string?)before["etag"], (string?)after["etag"]);

        // A stale etag loses.
        var stale = await http.PatchAsync($"api/devices/dev-03?{DeviceApi.Version}", CentrumServer.Json($$"""{"etag":"{{before["etag"]}}","displayName":"Lost"}"""));
        await RestAuthorizationTests.AssertErrorAsync(stale, HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/dev-03?{DeviceApi.Version}")).StatusCode);
        await RestAuthorizationTests.AssertErrorAsync(await http.GetAsync($"api/devices/dev-03?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
        await RestAuthorizationTests.AssertErrorAsync(await http.DeleteAsync($"api/devices/dev-03?{DeviceApi.Version}"), HttpStatusCode.NotFound, "NotFound");
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"displayName":5}""", "'displayName'")]
    [InlineData("""{"enabled":"yes"}""", "'enabled'")]
    [InlineData("""{"colour":"red"}""", "'colour'")]
    [InlineData("""{"organizations":[1]}""", "'organizations'")]
    [InlineData("""{"id":"someone-else"}""", "'id'")]
    public async Task Bodies_that_break_the_schema_are_refused_and_change_nothing(string body, string mentions)
    {
        // Every case is refused and creates nothing, so the cases share one server; each checks that dev-1 still
        // does not exist, which a case that wrongly created it would make the others see too.
        var http = (await _shared.GetAsync(Store)).AdminHttp();
        var response = await http.PutAsync($"api/devices/dev-1?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentions, (string?)JsonNode.Parse(text)!["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/devices/dev-1?{DeviceApi.Version}")).StatusCode);
    }

    [Fact]
    public async Task Invalid_device_ids_are_refused()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var response = await server.AdminHttp().PutAsync($"api/devices/bad%23id?{DeviceApi.Version}", CentrumServer.Json("{}"));
        await RestAuthorizationTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class DeviceRegistryApiTestsOnPostgreSql(SharedServer shared) : DeviceRegistryApiTests(MetadataStore.PostgreSql, shared);
