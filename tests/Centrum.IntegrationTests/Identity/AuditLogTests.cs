using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Identity;

/// <summary>The audit log through REST: every change, newest first, paged; only administrators read it.</summary>
public class AuditLogTests
{
    public AuditLogTests()
        : this(MetadataStore.Sqlite)
    {
    }

    protected AuditLogTests(MetadataStore store) => Store = store;

    /// <summary>The metadata store the servers of these tests run on (the class runs again on PostgreSQL below).</summary>
    protected MetadataStore Store { get; }

    [Fact]
    public async Task Changes_are_recorded_with_caller_resource_and_outcome_and_read_back_in_pages()
    {
        await using var server = await CentrumServer.StartAsync(store: Store);
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("audited-1");
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/audited-1?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"Renamed"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PatchAsync($"api/devices/audited-1?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":"maybe"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/devices/audited-1?{DeviceApi.Version}")).StatusCode);
        _ = await http.GetAsync($"api/devices?{DeviceApi.Version}"); // reads are not changes

        // Entries are stored before each answer goes out; the export and this read follow them.
        var entries = new List<JsonObject>();
        await Wait.UntilAsync(async () =>
        {
            entries.Clear();
            var next = $"api/auditLogs?maxpagesize=2&{DeviceApi.Version}";
            while (next is not null)
            {
                var page = JsonNode.Parse(await (await http.GetAsync(next)).Content.ReadAsStringAsync())!.AsObject();
                Assert.True(page["value"]!.AsArray().Count <= 2);
                entries.AddRange(page["value"]!.AsArray().Select(e => e!.AsObject()));
                next = (string?)page["nextLink"];
            }

            return entries.Count >= 4;
        }, TimeSpan.FromSeconds(10), "four audit entries");

        Assert.Equal(4, entries.Count);
        Assert.Equal(entries.Select(e => (long)e["id"]!).OrderDescending(), entries.Select(e => (long)e["id"]!));
        Assert.Equal(["deleted", "updated", "updated", "updated"], entries.Select(e => (string?)e["messageType"]));
        Assert.Equal([204, 400, 200, 200], entries.Select(e => (int)e["outcome"]!));
        Assert.All(entries, e => Assert.Equal("device", (string?)e["resource"]!["type"]));
        Assert.All(entries, e => Assert.Equal("audited-1", (string?)e["resource"]!["id"]));
        Assert.All(entries, e => Assert.Equal("apiToken", (string?)e["actor"]!["type"]));
        Assert.All(entries, e => Assert.StartsWith("127.", (string?)e["request"]!["address"], StringComparison.Ordinal));
        Assert.All(entries, e => Assert.NotNull(e["time"]));

        using var operatorClient = server.Http(await server.CreateTokenAsync("ops", role: "operator"));
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync($"api/auditLogs?{DeviceApi.Version}")).StatusCode);
    }
}

/// <summary>The same tests with the metadata in PostgreSQL.</summary>
public sealed class AuditLogTestsOnPostgreSql() : AuditLogTests(MetadataStore.PostgreSql);
