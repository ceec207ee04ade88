using System.Net;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// A destination's stored secrets stay with the destination they were given for and stay secret; destinations reach
/// only the addresses the server allows, checked when they connect.
/// </summary>
public sealed class ExportReachTests
{
    private const string Preview = ExportTests.Preview;

    [Fact]
    public async Task A_masked_secret_is_kept_only_for_the_same_target_and_never_becomes_visible()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$$"""
            {"displayName":"Hook","type":"webhook@v1","url":"{{{receiver.Url}}}hook",
             "headerCustomizations":{"x-api-key":{"value":"hidden-key-1","secret":true}},
             "authorization":{"type":"oauth","tokenUrl":"{{{receiver.Url}}}token","clientId":"centrum","clientSecret":"s3cret-client"}}
            """);
        var shown = await ExportTests.GetAsync(http, "dataExport/destinations/hook");
        Assert.Equal("*****", (string?)shown["authorization"]!["clientSecret"]);

        // Sent back as shown, to the same url and token endpoint: the stored secrets are kept.
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", shown.ToJsonString());

        // Pointed elsewhere with the masks: refused, naming the secret and the member that moved.
        var moved = (JsonObject)shown.DeepClone();
        moved["url"] = "https://elsewhere.example/hook";
        await AssertRefusedAsync(http, moved, "url", "authorization.clientSecret", "headerCustomizations.x-api-key.value");
        var tokenMoved = (JsonObject)shown.DeepClone();
        tokenMoved["authorization"]!["tokenUrl"] = "https://elsewhere.example/token";
        await AssertRefusedAsync(http, tokenMoved, "authorization.tokenUrl", "authorization.clientSecret");

        // A masked secret header turned public would show the stored value on the next GET: refused.
        var revealed = (JsonObject)shown.DeepClone();
        revealed["headerCustomizations"]!["x-api-key"]!["secret"] = false;
        await AssertRefusedAsync(http, revealed, "headerCustomizations.x-api-key.value", "secret");

        // Nothing changed: the destination still points at the receiver and shows no secret.
        var after = await ExportTests.GetAsync(http, "dataExport/destinations/hook");
        Assert.Equal($"{receiver.Url}hook", (string?)after["url"]);
        Assert.DoesNotContain("hidden-key-1", after.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-client", after.ToJsonString(), StringComparison.Ordinal);

        // And the kept secrets still work: the token request carries the client secret, the message the secret header.
        var key = await http.CreateDeviceAsync("dev-1");
        await PublishAsync(server, "dev-1", key, """{"temperature":21}""");
        await ExportTests.PutAsync(http, "dataExport/exports/all", """{"displayName":"All","enabled":true,"source":"telemetry","start":"earliest","destinations":[{"id":"hook"}]}""");
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/hook").Count == 1), TimeSpan.FromSeconds(30), "the message delivered");
        Assert.Equal("hidden-key-1", receiver.At("/hook")[0].Headers["x-api-key"]);
        Assert.Equal(1, receiver.TokensIssued);

        // Moving it with the secrets given again is fine.
        moved["authorization"]!["clientSecret"] = "another-secret";
        moved["headerCustomizations"]!["x-api-key"]!["value"] = "another-key";
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", moved.ToJsonString());
    }

    [Fact]
    public async Task By_default_a_destination_on_loopback_is_refused_when_it_connects()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Export:AllowLocalDestinations"] = "false" });
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("dev-1");
        await PublishAsync(server, "dev-1", key, """{"temperature":21}""");
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}hook"}""");
        await ExportTests.PutAsync(http, "dataExport/exports/all", """{"displayName":"All","enabled":true,"source":"telemetry","start":"earliest","destinations":[{"id":"hook"}]}""");

        var error = await RejectionAsync(http, "all");
        Assert.Contains("loopback", error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task The_servers_own_management_port_is_refused_even_where_local_destinations_are_allowed()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("dev-1");
        await PublishAsync(server, "dev-1", key, """{"temperature":21}""");
        await ExportTests.PutAsync(http, "dataExport/destinations/admin", $$"""{"displayName":"Admin","type":"webhook@v1","url":"http://{{server.Address}}:9464/admin/applications"}""");
        await ExportTests.PutAsync(http, "dataExport/exports/all", """{"displayName":"All","enabled":true,"source":"telemetry","start":"earliest","destinations":[{"id":"admin"}]}""");

        var error = await RejectionAsync(http, "all");
        Assert.Contains("management port", error, StringComparison.Ordinal);

        // The server serves on.
        Assert.Equal("dev-1", (string?)(await http.GetJsonAsync("api/devices/dev-1"))["id"]);
    }

    private static async Task<string> RejectionAsync(HttpClient http, string exportId)
    {
        string? message = null;
        await Wait.UntilAsync(async () =>
        {
            var status = await ExportTests.GetAsync(http, $"dataExport/exports/{exportId}");
            message = status["errors"]!.AsArray().Where(e => (string?)e!["code"] == "destinationRejected").Select(e => (string?)e!["message"]).FirstOrDefault();
            return message is not null;
        }, TimeSpan.FromSeconds(30), "the destination refused");
        return message!;
    }

    private static async Task AssertRefusedAsync(HttpClient http, JsonObject body, params string[] mentions)
    {
        var response = await http.PutAsync($"api/dataExport/destinations/hook?{Preview}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var message = (string?)JsonNode.Parse(text)!["error"]!["message"];
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, message, StringComparison.Ordinal);
        }
    }

    private static async Task PublishAsync(CentrumServer server, string deviceId, string key, string body)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, deviceId, key, cleanSession: true));
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
            .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();
    }
}
