using System.Net;
using System.Text.Json.Nodes;
using static Centrum.IntegrationTests.Jobs.JobsRest;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// The <c>deviceManifestMigration</c> job type (IoT Central REST API 2022-10-31-preview, <c>DeviceManifestMigrationJobData</c>:
/// <c>{"type":"deviceManifestMigration","manifest":"…"}</c>): each target IoT Edge device is assigned the manifest as
/// <c>POST /devices/{id}/applyDeploymentManifest</c> assigns it, in batches, with a result per device.
/// </summary>
public sealed class ManifestMigrationJobTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Preview = "api-version=2022-10-31-preview";

    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(2);

    private const string Manifest = """
        {"modulesContent": {
          "$edgeAgent": {"properties.desired": {
            "schemaVersion": "1.1",
            "runtime": {"type": "docker", "settings": {"minDockerVersion": "v1.25", "loggingOptions": "", "registryCredentials": {}}},
            "systemModules": {
              "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.5", "createOptions": "{}"}},
              "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.5", "createOptions": "{}"}}
            },
            "modules": {}
          }},
          "$edgeHub": {"properties.desired": {
            "schemaVersion": "1.1",
            "routes": {"upstream": "FROM /messages/* INTO $upstream"},
            "storeAndForwardConfiguration": {"timeToLiveSecs": ROUTE_TTL}
          }}
        }}
        """;

    [Fact]
    public async Task A_manifest_migration_job_assigns_the_manifest_to_each_edge_device_in_batches_and_fails_a_device_that_is_not_one()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edges = Enumerable.Range(0, 4).Select(i => $"mj-edge-{i}").ToList();
        foreach (var id in edges)
        {
            await admin.CreateDeviceAsync(id, """{"type":["iotEdge"]}""");
        }

        await admin.CreateDeviceAsync("mj-plain");
        await PutManifestAsync(admin, "mjmanifest", 4321);

        await PutJobAsync(admin, "mj-job", new JsonObject
        {
            ["displayName"] = "Move to mjmanifest",
            ["devices"] = Ids([.. edges, "mj-plain"]),
            ["batch"] = new JsonObject { ["type"] = "number", ["value"] = 2 },
            ["data"] = new JsonArray(new JsonObject { ["type"] = "deviceManifestMigration", ["manifest"] = "mjmanifest" }),
        });
        var job = await WaitForStatusAsync(admin, "mj-job", JobTimeout, "complete", "failed", "cancelled");
        Assert.Equal("deviceManifestMigration", (string?)job["data"]![0]!["type"]);
        Assert.Equal("mjmanifest", (string?)job["data"]![0]!["manifest"]);

        var results = await DevicesAsync(admin, "mj-job");
        Assert.All(results.Where(r => r.Id != "mj-plain"), r => Assert.Equal("completed", r.Status));
        var plain = results.Single(r => r.Id == "mj-plain");
        Assert.Equal("failed", plain.Status);
        Assert.Contains("not an IoT Edge device", plain.Reason, StringComparison.Ordinal);

        // Each edge device's $edgeHub twin now holds the manifest's desired properties (IoT Central's view: the desired
        // value in the property's $metadata until the module reports it).
        foreach (var id in edges)
        {
            var properties = await admin.GetJsonAsync($"api/devices/{id}/modules/%24edgeHub/properties?unmodeled=true");
            Assert.Equal(4321, (int)properties["$metadata"]!["storeAndForwardConfiguration"]!["desiredValue"]!["timeToLiveSecs"]!);
        }

        // A job that names a manifest that does not exist is refused when it is created.
        var missing = await admin.PutAsync($"api/jobs/mj-missing?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["devices"] = Ids(edges),
            ["data"] = new JsonArray(new JsonObject { ["type"] = "deviceManifestMigration", ["manifest"] = "mjnowhere" }),
        }.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("deployment manifest 'mjnowhere' does not exist", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organization_scoped_caller_migrates_only_to_a_manifest_of_its_organization()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "mo-north", "mo-south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        await admin.CreateDeviceAsync("mo-edge", """{"type":["iotEdge"],"organizations":["mo-north"]}""");
        await PutManifestAsync(admin, "monorth", 200, "mo-north");
        await PutManifestAsync(admin, "mosouth", 300, "mo-south");

        // An operator of the northern organization (the built-in organization operator role).
        var issued = await admin.PutAsync($"api/apiTokens/mo-north-operator?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"b4935647-30e4-4ed3-9074-dcac66c2f8ef","organization":"mo-north"}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        using var north = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

        JsonObject Body(string manifest) => new()
        {
            ["devices"] = Ids(["mo-edge"]),
            ["organizations"] = new JsonArray("mo-north"),
            ["data"] = new JsonArray(new JsonObject { ["type"] = "deviceManifestMigration", ["manifest"] = manifest }),
        };

        // The southern manifest is not there for this caller, as REST does not show it.
        var refused = await north.PutAsync($"api/jobs/mo-south-job?{DeviceApi.Version}", CentrumServer.Json(Body("mosouth").ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("deployment manifest 'mosouth' does not exist", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await PutJobAsync(north, "mo-north-job", Body("monorth"));
        Assert.Equal("complete", (string?)(await WaitForStatusAsync(north, "mo-north-job", JobTimeout, "complete", "failed", "cancelled"))["status"]);
        var properties = await admin.GetJsonAsync("api/devices/mo-edge/modules/%24edgeHub/properties?unmodeled=true");
        Assert.Equal(200, (int)properties["$metadata"]!["storeAndForwardConfiguration"]!["desiredValue"]!["timeToLiveSecs"]!);
    }

    private static async Task PutManifestAsync(HttpClient admin, string id, int timeToLive, string? organization = null)
    {
        var data = Manifest.Replace("ROUTE_TTL", timeToLive.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var organizations = organization is null ? "" : $$""","organizations":["{{organization}}"]""";
        var created = await admin.PutAsync($"api/deploymentManifests/{id}?{Preview}", CentrumServer.Json($$"""{"displayName":"{{id}}","data":{{data}}{{organizations}}}"""));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
    }
}
