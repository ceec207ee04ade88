using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// Gateways and downstream devices: IoT Central's relationships (REST API 2022-07-31, the five
/// <c>/devices/{deviceId}/relationships</c> operations and their published examples), and a gateway's IoT Edge hub
/// connecting upstream on behalf of a downstream device within its scope, as <see cref="EdgeHubUpstream"/> speaks it.
/// </summary>
public sealed class GatewayRelationshipTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Fact]
    public async Task Edge_hub_connects_on_behalf_of_its_downstream_device_and_its_modules_but_not_of_a_device_outside_its_scope()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("gw-1", """{"type":["iotEdge"]}""");
        var otherEdgeKey = await admin.CreateDeviceAsync("gw-2", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("leaf-1");
        await admin.CreateDeviceAsync("leaf-2");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, "gw-1", "link-1", """{"source":"gw-1","target":"leaf-1"}""")).Status);
        var token = EdgeHubUpstream.ClientToken(server.HubHostName, "gw-1", await EdgeHubUpstream.EdgeHubKeyAsync(server, "gw-1", edgeKey));

        using var leaf = MqttDevice.CreateClient();
        var connected = await leaf.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-1", "leaf-1;gw-1", token));
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);

        // Telemetry the hub forwards lands under the downstream device, which is the one recorded as connected.
        var sent = await leaf.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("devices/leaf-1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
            .WithPayload("""{"temperature":21.5}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(sent.IsSuccess);
        await Wait.UntilAsync(async () =>
        {
            var response = await admin.GetAsync($"api/devices/leaf-1/telemetry/temperature?{DeviceApi.Version}");
            return response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"] is { } value && (double)value == 21.5;
        }, TimeSpan.FromSeconds(20), "the downstream device's telemetry is readable through REST");
        Assert.True((bool)(await admin.GetJsonAsync("api/devices/leaf-1"))["connected"]!);
        Assert.False((bool)(await admin.GetJsonAsync("api/devices/gw-1"))["connected"]!);

        // The twin and direct methods work as on a direct connection: the hub answers a method for its client.
        var twin = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        leaf.ApplicationMessageReceivedAsync += async e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (topic.StartsWith("$iothub/twin/res/", StringComparison.Ordinal))
            {
                twin.TrySetResult(topic);
            }
            else if (topic.StartsWith("$iothub/methods/POST/reboot/?$rid=", StringComparison.Ordinal))
            {
                var rid = topic[(topic.IndexOf("$rid=", StringComparison.Ordinal) + 5)..];
                await leaf.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}").WithPayload("""{"rebooted":true}""").Build());
            }
        };
        await leaf.SubscribeAsync("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce);
        await leaf.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);
        await leaf.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/GET/?$rid=7").Build());
        Assert.StartsWith("$iothub/twin/res/200/?$rid=7", await twin.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        var run = await admin.PostAsync($"api/devices/leaf-1/commands/reboot?{DeviceApi.Version}", CentrumServer.Json("""{"request":{"delay":1}}"""));
        var ran = JsonNode.Parse(await run.Content.ReadAsStringAsync())!;
        Assert.True(run.StatusCode == HttpStatusCode.Created, ran.ToJsonString());
        Assert.Equal(200, (int)ran["responseCode"]!);
        Assert.True((bool)ran["response"]!["rebooted"]!);

        // The same token for a device that is not related to gw-1, and another gateway's for gw-1's child: refused.
        using var stranger = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await stranger.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-2", "leaf-2;gw-1", token))).ResultCode);
        var otherToken = EdgeHubUpstream.ClientToken(server.HubHostName, "gw-2", await EdgeHubUpstream.EdgeHubKeyAsync(server, "gw-2", otherEdgeKey));
        using var wrongGateway = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await wrongGateway.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-1", "leaf-1;gw-2", otherToken))).ResultCode);
        // An auth chain that does not end at the token's edge device.
        using var badChain = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await badChain.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-1", "leaf-1;gw-2", token))).ResultCode);
        // A token signed with a key that is not the hub's.
        using var forged = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await forged.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-1", "leaf-1;gw-1", EdgeHubUpstream.ClientToken(server.HubHostName, "gw-1", edgeKey)))).ResultCode);

        // The edge device's own modules are in its scope; another device's module is not.
        using var module = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await module.ConnectAsync(EdgeHubUpstream.Options(server, "gw-1/$edgeAgent", "gw-1/$edgeAgent;gw-1", token))).ResultCode);
        using var foreignModule = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await foreignModule.ConnectAsync(EdgeHubUpstream.Options(server, "gw-2/$edgeAgent", "gw-2/$edgeAgent;gw-1", token))).ResultCode);

        // Removing the relationship takes the device out of the scope: its connection closes and a new one is refused.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/devices/leaf-1/relationships/link-1?{DeviceApi.Version}")).StatusCode);
        await MqttDevice.WaitForDisconnectAsync(leaf, TimeSpan.FromSeconds(20));
        using var again = MqttDevice.CreateClient();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await again.ConnectAsync(EdgeHubUpstream.Options(server, "leaf-1", "leaf-1;gw-1", token))).ResultCode);
    }

    [Fact]
    public async Task Relationships_are_created_read_listed_patched_and_deleted_in_the_published_shape()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        foreach (var id in new[] { "rg-1", "rc-1", "rc-2", "rc-3" })
        {
            await admin.CreateDeviceAsync(id);
        }

        var created = await PutAsync(admin, "rg-1", "rel-1", """{"source":"rg-1","target":"rc-1"}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"rel-1","source":"rg-1","target":"rc-1"}"""), created.Body), created.Body!.ToJsonString());
        // The source defaults to the device of the path.
        Assert.Equal("rg-1", (string?)(await PutAsync(admin, "rg-1", "rel-2", """{"target":"rc-2"}""")).Body!["source"]);

        // Read from either end; a device that is neither does not see it.
        Assert.Equal("rc-1", (string?)(await admin.GetJsonAsync("api/devices/rc-1/relationships/rel-1"))["target"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/devices/rc-3/relationships/rel-1?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(["rel-1", "rel-2"], (await admin.GetJsonAsync("api/devices/rg-1/relationships"))["value"]!.AsArray().Select(r => (string?)r!["id"]));
        Assert.Equal(["rel-2"], (await admin.GetJsonAsync("api/devices/rc-2/relationships"))["value"]!.AsArray().Select(r => (string?)r!["id"]));
        var first = await admin.GetJsonAsync("api/devices/rg-1/relationships?maxpagesize=1");
        Assert.Single(first["value"]!.AsArray());
        var second = JsonNode.Parse(await admin.GetStringAsync((string)first["nextLink"]!))!;
        Assert.Equal("rel-2", (string?)second["value"]!.AsArray().Single()!["id"]);
        Assert.Null(second["nextLink"]);

        // Refusals, each in IoT Central's error shape.
        await RefusedAsync(admin, "rg-1", "rel-3", """{"target":"rc-1"}""", HttpStatusCode.Conflict, "already has gateway");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"target":"rg-1"}""", HttpStatusCode.BadRequest, "its own gateway");
        await RefusedAsync(admin, "rc-1", "rel-3", """{"source":"rc-1","target":"rg-1"}""", HttpStatusCode.BadRequest, "upstream of device");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"target":"nowhere"}""", HttpStatusCode.NotFound, "Device 'nowhere' was not found.");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"source":"rc-2","target":"rc-3"}""", HttpStatusCode.BadRequest, "as its source or its target");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"source":"rg-1"}""", HttpStatusCode.BadRequest, "'target' is required");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"target":"rc-3","kind":"gateway"}""", HttpStatusCode.BadRequest, "Unknown field 'kind'");
        await RefusedAsync(admin, "rg-1", "rel-3", """{"id":"other","target":"rc-3"}""", HttpStatusCode.BadRequest, "must match");
        await RefusedAsync(admin, "rc-3", "rel-1", """{"source":"rc-3","target":"rc-2"}""", HttpStatusCode.Conflict, "between other devices");

        // A merge patch moves the relationship to another downstream device.
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/devices/rg-1/relationships/rel-1?{DeviceApi.Version}")
        {
            Content = new StringContent("""{"target":"rc-3"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        var patched = await admin.SendAsync(patch);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"rel-1","source":"rg-1","target":"rc-3"}"""), JsonNode.Parse(await patched.Content.ReadAsStringAsync())));
        Assert.Empty((await admin.GetJsonAsync("api/devices/rc-1/relationships"))["value"]!.AsArray());

        // Deleted from the downstream end; then gone from both.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/devices/rc-3/relationships/rel-1?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/devices/rg-1/relationships/rel-1?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"api/devices/rg-1/relationships/rel-1?{DeviceApi.Version}")).StatusCode);

        // Deleting a device removes its relationships.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/devices/rc-2?{DeviceApi.Version}")).StatusCode);
        Assert.Empty((await admin.GetJsonAsync("api/devices/rg-1/relationships"))["value"]!.AsArray());
    }

    [Fact]
    public async Task Another_application_neither_sees_nor_links_to_this_application_devices()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("xg-1");
        await admin.CreateDeviceAsync("xc-1");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, "xg-1", "xrel-1", """{"target":"xc-1"}""")).Status);

        await server.RunCliAsync("app", "create", "--id", "rel-other");
        using var other = server.Http(await server.CreateTokenAsync("rel-other-admin", application: "rel-other"));
        await other.CreateDeviceAsync("xg-1");
        Assert.Empty((await other.GetJsonAsync("api/devices/xg-1/relationships"))["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"api/devices/xg-1/relationships/xrel-1?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"api/devices/xc-1/relationships?{DeviceApi.Version}")).StatusCode);
        await RefusedAsync(other, "xg-1", "xrel-2", """{"target":"xc-1"}""", HttpStatusCode.NotFound, "Device 'xc-1' was not found.");
    }

    [Fact]
    public async Task An_organization_scoped_caller_sees_no_relationship_to_a_device_outside_its_reach()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        foreach (var organization in new[] { "rel-north", "rel-south" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{organization}?{DeviceApi.Version}", CentrumServer.Json($$"""{"displayName":"{{organization}}"}"""))).StatusCode);
        }

        await admin.CreateDeviceAsync("og-1", """{"organizations":["rel-north"]}""");
        await admin.CreateDeviceAsync("oc-north", """{"organizations":["rel-north"]}""");
        await admin.CreateDeviceAsync("oc-south", """{"organizations":["rel-south"]}""");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, "og-1", "orel-1", """{"target":"oc-north"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, "og-1", "orel-2", """{"target":"oc-south"}""")).Status);

        // An operator of the northern organization (the built-in organization operator role).
        var issued = await admin.PutAsync($"api/apiTokens/rel-north-operator?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"b4935647-30e4-4ed3-9074-dcac66c2f8ef","organization":"rel-north"}]}"""));
        Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
        using var north = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

        // Listed, paged, read, patched and deleted: the relationship to the southern device is never there, nor its id.
        var listed = await north.GetJsonAsync("api/devices/og-1/relationships");
        Assert.Equal(["orel-1"], listed["value"]!.AsArray().Select(r => (string?)r!["id"]));
        Assert.DoesNotContain("oc-south", listed.ToJsonString(), StringComparison.Ordinal);
        var page = await north.GetJsonAsync("api/devices/og-1/relationships?maxpagesize=1");
        Assert.Equal(["orel-1"], page["value"]!.AsArray().Select(r => (string?)r!["id"]));
        if (page["nextLink"] is { } next)
        {
            Assert.Empty(JsonNode.Parse(await north.GetStringAsync((string)next!))!["value"]!.AsArray());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await north.GetAsync($"api/devices/og-1/relationships/orel-2?{DeviceApi.Version}")).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/devices/og-1/relationships/orel-2?{DeviceApi.Version}")
        {
            Content = new StringContent("""{"target":"oc-north"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        Assert.Equal(HttpStatusCode.NotFound, (await north.SendAsync(patch)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await north.DeleteAsync($"api/devices/og-1/relationships/orel-2?{DeviceApi.Version}")).StatusCode);
        await RefusedAsync(north, "og-1", "orel-2", """{"target":"oc-north"}""", HttpStatusCode.Conflict, "already exists");
        await RefusedAsync(north, "og-1", "orel-4", """{"target":"oc-south"}""", HttpStatusCode.NotFound, "Device 'oc-south' was not found.");

        // The administrator, whose reach is the whole application, still sees and keeps both.
        Assert.Equal(["orel-1", "orel-2"], (await admin.GetJsonAsync("api/devices/og-1/relationships"))["value"]!.AsArray().Select(r => (string?)r!["id"]));
        Assert.Equal("oc-south", (string?)(await admin.GetJsonAsync("api/devices/og-1/relationships/orel-2"))["target"]);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(HttpClient http, string deviceId, string relationshipId, string body)
    {
        using var response = await http.PutAsync($"api/devices/{deviceId}/relationships/{relationshipId}?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task RefusedAsync(HttpClient http, string deviceId, string relationshipId, string body, HttpStatusCode status, string message)
    {
        var (actual, answer) = await PutAsync(http, deviceId, relationshipId, body);
        Assert.True(actual == status, $"{body}: {(int)actual} {answer?.ToJsonString()}");
        Assert.Contains(message, (string?)answer!["error"]!["message"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)answer["error"]!["code"]));
    }
}
