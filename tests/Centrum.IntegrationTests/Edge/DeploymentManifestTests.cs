using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// IoT Central's deployment manifests (REST API 2022-10-31-preview) and their application to an IoT Edge device. The
/// runtime's side is played by a client that speaks as edgeAgent does over MQTT as module <c>$edgeAgent</c>, following
/// Azure/iotedge @ 55353a649ea9d624a684428fab2d925a81bcda07:
/// <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.IoTHub/EdgeAgentConnection.cs</c> (it subscribes to desired
/// property patches, reads the whole twin, and takes a patch whose <c>$version</c> follows the twin's) over the SDK's
/// MQTT twin topics (IoT Hub documentation, "Communicate with IoT Hub using the MQTT protocol": <c>$iothub/twin/GET</c>,
/// <c>$iothub/twin/res/{status}/?$rid=</c>, <c>$iothub/twin/PATCH/properties/desired/?$version=</c>). Each case has
/// its own devices and manifests on one shared server.
/// </summary>
public sealed class DeploymentManifestTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Preview = "api-version=2022-10-31-preview";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The manifest of doc/protocols/iot-edge-cloud.md §3.1 and §3.3, with a custom module's desired properties.</summary>
    private const string Manifest = """
        {"modulesContent": {
          "$edgeAgent": {"properties.desired": {
            "schemaVersion": "1.1",
            "runtime": {"type": "docker", "settings": {"minDockerVersion": "v1.25", "loggingOptions": "", "registryCredentials": {}}},
            "systemModules": {
              "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.5", "createOptions": "{}"}, "env": {"UpstreamProtocol": {"value": "Mqtt"}}},
              "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "startupOrder": 0, "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.5", "createOptions": "{}"}, "env": {"UpstreamProtocol": {"value": "Mqtt"}}}
            },
            "modules": {
              "filter": {"version": "1.0", "type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "contoso/filter:1.0", "createOptions": "{}"}}
            }
          }},
          "$edgeHub": {"properties.desired": {
            "schemaVersion": "1.1",
            "routes": {"upstream": "FROM /messages/* INTO $upstream", "toFilter": {"route": "FROM /messages/modules/sensor/* INTO BrokeredEndpoint(\"/modules/filter/inputs/input1\")", "priority": 0, "timeToLiveSecs": 1800}},
            "storeAndForwardConfiguration": {"timeToLiveSecs": 7200}
          }},
          "filter": {"properties.desired": {"threshold": 30}},
          "later": {"properties.desired": {"mode": "fast"}}
        }}
        """;

    [Fact]
    public async Task Manifests_are_created_read_listed_updated_and_deleted_and_bad_ones_are_refused()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var id = "m" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.PutAsync($"api/deploymentManifests/{id}?{Preview}", CentrumServer.Json($$"""{"displayName":"Line 1","data":{{Manifest}}}"""));
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.True(created.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(id, (string?)body["id"]);
        Assert.Equal("1.1", (string?)body["data"]!["modulesContent"]!["$edgeHub"]!["properties.desired"]!["schemaVersion"]);
        var etag = (string)body["etag"]!;

        var read = JsonNode.Parse(await admin.GetStringAsync($"api/deploymentManifests/{id}?{Preview}"))!;
        Assert.Equal("Line 1", (string?)read["displayName"]);
        var listed = JsonNode.Parse(await admin.GetStringAsync($"api/deploymentManifests?{Preview}"))!;
        Assert.Contains(listed["value"]!.AsArray(), m => (string?)m!["id"] == id);

        using (var stale = new HttpRequestMessage(HttpMethod.Patch, $"api/deploymentManifests/{id}?{Preview}") { Content = CentrumServer.Json("""{"displayName":"Line 2"}""") })
        {
            stale.Headers.TryAddWithoutValidation("If-Match", "\"stale\"");
            Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/deploymentManifests/{id}?{Preview}")
               { Content = CentrumServer.Json("""{"displayName":"Line 2","data":{"modulesContent":{"filter":{"properties.desired":{"threshold":40}}}}}""") })
        {
            patch.Headers.TryAddWithoutValidation("If-Match", $"\"{etag}\"");
            var patched = await admin.SendAsync(patch);
            var after = JsonNode.Parse(await patched.Content.ReadAsStringAsync())!;
            Assert.True(patched.StatusCode == HttpStatusCode.OK, after.ToJsonString());
            Assert.Equal("Line 2", (string?)after["displayName"]);
            Assert.Equal(40, (int)after["data"]!["modulesContent"]!["filter"]!["properties.desired"]!["threshold"]!);
            Assert.NotNull(after["data"]!["modulesContent"]!["$edgeAgent"]);
        }

        // Refusals in IoT Central's error shape: no $edgeHub, an edgeAgent schema the runtime refuses, a bad id, no data.
        var noHub = JsonNode.Parse(Manifest)!.AsObject();
        noHub["modulesContent"]!.AsObject().Remove("$edgeHub");
        await AssertRefusedAsync(admin.PutAsync($"api/deploymentManifests/{id}x?{Preview}", CentrumServer.Json($$"""{"data":{{noHub.ToJsonString()}}}""")), "$edgeHub");
        var tooNew = JsonNode.Parse(Manifest)!.AsObject();
        tooNew["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["schemaVersion"] = "1.2";
        await AssertRefusedAsync(admin.PutAsync($"api/deploymentManifests/{id}x?{Preview}", CentrumServer.Json($$"""{"data":{{tooNew.ToJsonString()}}}""")), "schemaVersion");
        await AssertRefusedAsync(admin.PutAsync($"api/deploymentManifests/bad-id?{Preview}", CentrumServer.Json($$"""{"data":{{Manifest}}}""")), "bad-id");
        await AssertRefusedAsync(admin.PutAsync($"api/deploymentManifests/{id}x?{Preview}", CentrumServer.Json("""{"displayName":"x"}""")), "data");

        // Another application does not see it.
        var other = "o" + Guid.NewGuid().ToString("N")[..8];
        await server.RunCliAsync("app", "create", "--id", other);
        using var otherHttp = server.Http(await server.CreateTokenAsync(other + "-admin", application: other));
        Assert.Equal(HttpStatusCode.NotFound, (await otherHttp.GetAsync($"api/deploymentManifests/{id}?{Preview}")).StatusCode);
        Assert.Empty(JsonNode.Parse(await otherHttp.GetStringAsync($"api/deploymentManifests?{Preview}"))!["value"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/deploymentManifests/{id}?{Preview}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/deploymentManifests/{id}?{Preview}")).StatusCode);
    }

    [Fact]
    public async Task An_applied_manifest_arrives_as_desired_properties_at_edgeAgent_edgeHub_and_a_custom_module()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edge = "edge-dep-" + Guid.NewGuid().ToString("N")[..8];
        var key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var filterKey = await EdgeModuleLifecycleTests.CreateModuleAsync(server, hub, edge, key, "filter");
        var agentKey = (string)(await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Get, $"devices/{edge}/modules/$edgeAgent", key, edge)).Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;
        var hubKey = (string)(await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Get, $"devices/{edge}/modules/$edgeHub", key, edge)).Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;

        // edgeAgent: subscribe to desired patches and twin answers, then read the whole twin (EdgeAgentConnection.cs).
        using var agent = MqttDevice.CreateClient();
        var patches = new List<(string Topic, JsonObject Body)>();
        var answers = new List<(string Topic, string Body)>();
        agent.ApplicationMessageReceivedAsync += e =>
        {
            var text = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            lock (patches)
            {
                if (e.ApplicationMessage.Topic.StartsWith("$iothub/twin/PATCH/properties/desired/", StringComparison.Ordinal))
                {
                    patches.Add((e.ApplicationMessage.Topic, JsonNode.Parse(text)!.AsObject()));
                }
                else
                {
                    answers.Add((e.ApplicationMessage.Topic, text));
                }
            }

            return Task.CompletedTask;
        };
        await agent.ConnectAsync(EdgeModuleLifecycleTests.ModuleOptions(server, edge, "$edgeAgent", agentKey));
        await agent.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("$iothub/twin/PATCH/properties/desired/#", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce)
            .Build());
        var before = await GetTwinAsync(agent, answers, patches, "1");
        var versionBefore = (long)before["desired"]!["$version"]!;

        // A device that is not an IoT Edge device and a manifest the runtime would refuse are turned away.
        await admin.CreateDeviceAsync(edge + "-plain");
        await AssertRefusedAsync(admin.PostAsync($"api/devices/{edge}-plain/applyDeploymentManifest?{Preview}", CentrumServer.Json($$"""{"data":{{Manifest}}}""")), "IoT Edge");
        await AssertRefusedAsync(admin.PostAsync($"api/devices/{edge}/applyDeploymentManifest?{Preview}", CentrumServer.Json("""{"data":{"modulesContent":{}}}""")), "$edgeAgent");

        // A plain device made an IoT Edge device by a merge patch keeps that kind (it is stored, not only answered).
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/devices/{edge}-plain?{Preview}") { Content = CentrumServer.Json("""{"type":["iotEdge"]}""") })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch)).StatusCode);
        }

        Assert.Equal(["iotEdge"], JsonNode.Parse(await admin.GetStringAsync($"api/devices/{edge}-plain?{Preview}"))!["type"]!.AsArray().Select(t => (string?)t));
        var plainApplied = await admin.PostAsync($"api/devices/{edge}-plain/applyDeploymentManifest?{Preview}", CentrumServer.Json($$"""{"data":{{Manifest}}}"""));
        Assert.True(plainApplied.StatusCode == HttpStatusCode.OK, await plainApplied.Content.ReadAsStringAsync());

        var applied = await admin.PostAsync($"api/devices/{edge}/applyDeploymentManifest?{Preview}", CentrumServer.Json($$"""{"displayName":"Line 1","data":{{Manifest}}}"""));
        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
        // The answer is the manifest with an etag naming the deployment the device now has: another application differs.
        var appliedEtag = (string?)JsonNode.Parse(await applied.Content.ReadAsStringAsync())!["etag"];
        Assert.False(string.IsNullOrEmpty(appliedEtag));
        Assert.NotEqual(appliedEtag, (string?)JsonNode.Parse(await plainApplied.Content.ReadAsStringAsync())!["etag"]);

        // The desired patch edgeAgent receives carries the version that follows its twin's, and the deployment.
        await Wait.UntilAsync(() => Task.FromResult(Count(patches) > 0), Deadline, "edgeAgent receives the deployment as a desired patch");
        JsonObject received;
        lock (patches)
        {
            received = patches[0].Body;
        }

        Assert.Equal(versionBefore + 1, (long)received["$version"]!);
        Assert.Equal("1.1", (string?)received["schemaVersion"]);
        Assert.Equal("docker", (string?)received["runtime"]!["type"]);
        Assert.Equal("mcr.microsoft.com/azureiotedge-hub:1.5", (string?)received["systemModules"]!["edgeHub"]!["settings"]!["image"]);
        Assert.Equal("contoso/filter:1.0", (string?)received["modules"]!["filter"]!["settings"]!["image"]);

        var after = await GetTwinAsync(agent, answers, patches, "2");
        Assert.Equal(versionBefore + 1, (long)after["desired"]!["$version"]!);
        Assert.Equal("running", (string?)after["desired"]!["modules"]!["filter"]!["status"]);

        // edgeAgent reports the deployment's state (AgentState.cs, DockerRuntimeModule.cs); REST lists each module's.
        var report = """
            {"schemaVersion":"1.0","lastDesiredVersion":LAST,"lastDesiredStatus":{"code":200,"description":""},
             "runtime":{"type":"docker","platform":{"os":"linux","architecture":"x86_64","version":"1.5.0"}},
             "systemModules":{"edgeAgent":{"type":"docker","runtimeStatus":"running","exitCode":0}},
             "modules":{"filter":{"type":"docker","status":"running","runtimeStatus":"backoff","exitCode":139,"statusDescription":"crashed",
               "restartCount":2,"lastStartTimeUtc":"2026-11-28T15:00:00.0000000","lastExitTimeUtc":"2026-11-28T15:01:00.0000000"}}}
            """.Replace("LAST", (versionBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await agent.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=3")
            .WithPayload(Encoding.UTF8.GetBytes(report)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Wait.UntilAsync(() =>
        {
            lock (patches)
            {
                return Task.FromResult(answers.Any(a => a.Topic.StartsWith("$iothub/twin/res/204/", StringComparison.Ordinal) && a.Topic.Contains("$rid=3", StringComparison.Ordinal)));
            }
        }, Deadline, "edgeAgent's report is accepted");
        var modules = await admin.GetJsonAsync($"api/devices/{edge}/modules");
        var filter = modules["value"]!.AsArray().Single(m => (string?)m!["name"] == "filter")!;
        Assert.Equal("backoff", (string?)filter["runtimeStatus"]);
        Assert.Equal(139, (int)filter["exitCode"]!);
        Assert.Equal("2026-11-28T15:00:00.0000000", (string?)filter["lastStartTimeUtc"]);
        Assert.Equal(2, (int)filter["restartCount"]!);
        await agent.DisconnectAsync();

        // edgeHub's twin holds the routes and store-and-forward settings; the custom module's its desired properties.
        var hubTwin = await ReadTwinAsync(server, edge, "$edgeHub", hubKey);
        Assert.Equal("FROM /messages/* INTO $upstream", (string?)hubTwin["desired"]!["routes"]!["upstream"]);
        Assert.Equal(7200, (int)hubTwin["desired"]!["storeAndForwardConfiguration"]!["timeToLiveSecs"]!);
        var filterTwin = await ReadTwinAsync(server, edge, "filter", filterKey);
        Assert.Equal(30, (int)filterTwin["desired"]!["threshold"]!);

        // A module the manifest names without an identity is left for the device's identity service to create.
        var later = await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Get, $"devices/{edge}/modules/later", key, edge);
        Assert.Equal(HttpStatusCode.NotFound, later.Status);

        // The runtime's own state is shown beside the modules, as edgeAgent reported it.
        var runtime = modules["edgeRuntime"]!;
        Assert.Equal(versionBefore + 1, (long)runtime["lastDesiredVersion"]!);
        Assert.Equal(200, (int)runtime["lastDesiredStatus"]!["code"]!);
        Assert.Equal("linux", (string?)runtime["platform"]!["os"]);
        Assert.Equal("running", (string?)runtime["systemModules"]!["edgeAgent"]!["runtimeStatus"]);

        // The device keeps the deployment it took; a module created afterwards starts with the desired properties it gives.
        var device = await admin.GetJsonAsync($"api/devices/{edge}");
        Assert.Equal("Line 1", (string?)device["deploymentManifest"]!["displayName"]);
        Assert.Equal("1.1", (string?)device["deploymentManifest"]!["data"]!["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["schemaVersion"]);
        var laterKey = await EdgeModuleLifecycleTests.CreateModuleAsync(server, hub, edge, key, "later");
        Assert.Equal("fast", (string?)(await ReadTwinAsync(server, edge, "later", laterKey))["desired"]!["mode"]);
        var laterProperties = await admin.GetJsonAsync($"api/devices/{edge}/modules/later/properties?unmodeled=true");
        Assert.Equal("fast", (string?)laterProperties["$metadata"]!["mode"]!["desiredValue"]);
        // What the platform keeps of the deployment is no property of $edgeAgent.
        Assert.Null((await admin.GetJsonAsync($"api/devices/{edge}/modules/$edgeAgent/properties?unmodeled=true"))["deployment"]);
    }

    /// <summary>A manifest of schema 1.0 for both runtime modules (route strings, no store-and-forward).</summary>
    private const string LegacyManifest = """
        {"modulesContent": {
          "$edgeAgent": {"properties.desired": {
            "schemaVersion": "1.0",
            "runtime": {"type": "docker", "settings": {"minDockerVersion": "v1.25"}},
            "systemModules": {
              "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.5", "createOptions": "{}"}},
              "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.5", "createOptions": "{}"}}
            }
          }},
          "$edgeHub": {"properties.desired": {"schemaVersion": "1.0", "routes": {"upstream": "FROM /messages/* INTO $upstream"}}}
        }}
        """;

    [Fact]
    public async Task A_device_keeps_the_manifest_it_took_by_id_through_the_manifests_deletion_and_shows_edgeHubs_reports()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var id = "m" + Guid.NewGuid().ToString("N")[..8];
        var edge = "edge-keep-" + id;
        var key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");

        // Kept as 1.1 (IoT Central documentation, "Manage IoT Edge deployment manifests with the REST API").
        var created = await admin.PutAsync($"api/deploymentManifests/{id}?{Preview}", CentrumServer.Json($$"""{"displayName":"Legacy","data":{{LegacyManifest}}}"""));
        var manifest = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.True(created.StatusCode == HttpStatusCode.OK, manifest.ToJsonString());
        Assert.Equal("1.1", (string?)manifest["data"]!["modulesContent"]!["$edgeAgent"]!["properties.desired"]!["schemaVersion"]);
        Assert.Equal("1.1", (string?)manifest["data"]!["modulesContent"]!["$edgeHub"]!["properties.desired"]!["schemaVersion"]);
        Assert.Equal(7200, (int?)manifest["data"]!["modulesContent"]!["$edgeHub"]!["properties.desired"]!["storeAndForwardConfiguration"]!["timeToLiveSecs"]);

        var applied = await admin.PostAsync($"api/devices/{edge}/applyDeploymentManifest?{Preview}", CentrumServer.Json(manifest.ToJsonString()));
        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
        var taken = (await admin.GetJsonAsync($"api/devices/{edge}"))["deploymentManifest"]!;
        Assert.Equal(id, (string?)taken["id"]);
        Assert.Equal((string?)manifest["etag"], (string?)taken["etag"]);

        // IoT Central's DeploymentManifests_Remove answers 204 whatever uses it: the device keeps what it took.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/deploymentManifests/{id}?{Preview}")).StatusCode);
        Assert.Equal(id, (string?)(await admin.GetJsonAsync($"api/devices/{edge}"))["deploymentManifest"]!["id"]);

        // edgeHub reports the deployment it took and its clients (Azure/iotedge EdgeHubConnection.cs); REST shows them as
        // the properties of module $edgeHub.
        using var hub = server.Http();
        var hubKey = (string)(await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Get, $"devices/{edge}/modules/$edgeHub", key, edge)).Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;
        using var client = MqttDevice.CreateClient();
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            answered.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(EdgeModuleLifecycleTests.ModuleOptions(server, edge, "$edgeHub", hubKey));
        await client.SubscribeAsync("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce);
        var report = $$$$"""{"schemaVersion":"1.0","lastDesiredVersion":2,"lastDesiredStatus":{"code":200},"clients":{"{{{{edge}}}}/filter":{"status":"Connected","lastConnectedTimeUtc":"2026-11-28T15:00:00Z"}}}""";
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=1")
            .WithPayload(Encoding.UTF8.GetBytes(report)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.StartsWith("$iothub/twin/res/204/", await answered.Task.WaitAsync(Deadline));
        await client.DisconnectAsync();
        var hubProperties = await admin.GetJsonAsync($"api/devices/{edge}/modules/$edgeHub/properties?unmodeled=true");
        Assert.Equal(2, (int?)hubProperties["lastDesiredVersion"]);
        Assert.Equal("Connected", (string?)hubProperties["clients"]![$"{edge}/filter"]!["status"]);
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static async Task<JsonObject> GetTwinAsync(IMqttClient client, List<(string Topic, string Body)> answers, object gate, string rid)
    {
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/twin/GET/?$rid={rid}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        string? body = null;
        await Wait.UntilAsync(() =>
        {
            lock (gate)
            {
                body = answers.Where(a => a.Topic.StartsWith("$iothub/twin/res/200/", StringComparison.Ordinal) && a.Topic.Contains($"$rid={rid}", StringComparison.Ordinal))
                    .Select(a => a.Body).FirstOrDefault();
            }

            return Task.FromResult(body is not null);
        }, Deadline, $"the twin answer {rid}");
        return JsonNode.Parse(body!)!.AsObject();
    }

    private static async Task<JsonObject> ReadTwinAsync(CentrumServer server, string edge, string moduleId, string moduleKey)
    {
        using var client = MqttDevice.CreateClient();
        var answers = new List<(string Topic, string Body)>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (answers)
            {
                answers.Add((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(EdgeModuleLifecycleTests.ModuleOptions(server, edge, moduleId, moduleKey));
        await client.SubscribeAsync("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce);
        var twin = await GetTwinAsync(client, answers, answers, "1");
        await client.DisconnectAsync();
        return twin;
    }

    private static async Task AssertRefusedAsync(Task<HttpResponseMessage> call, string mentions)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.False(string.IsNullOrEmpty((string?)error["code"]));
        Assert.Contains(mentions, (string?)error["message"], StringComparison.Ordinal);
    }
}
