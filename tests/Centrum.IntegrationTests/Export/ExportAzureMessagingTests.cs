using System.Net;
using System.Text.Json.Nodes;
using AzureMessagingNamespace = Centrum.Export.Tests.Destinations.Infrastructure.AzureMessagingNamespace;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// Exports through the real server to Event Hubs and Service Bus destinations created over REST. The services cannot
/// run here: <see cref="AzureMessagingNamespace"/> stands in for a namespace, performing claims-based authorization
/// (AMQP CBS put-token) over TLS and accepting messages on the entity as the services' AMQP protocol guide describes.
/// </summary>
public sealed class ExportAzureMessagingTests
{
    private const string Hub = "telemetry-hub";
    private const string Queue = "exports";

    [Fact]
    public async Task Telemetry_reaches_a_queue_while_a_hub_with_a_wrong_key_holds_its_cursor_until_the_key_matches()
    {
        await using var ns = AzureMessagingNamespace.Start(Hub, Queue);
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Export:InitialRetryDelay"] = "00:00:00.200",
            ["Centrum:Export:MaxRetryDelay"] = "00:00:01",
        });
        var http = server.AdminHttp();
        await ExportTests.CreateTemplateAsync(http);
        var key = await http.CreateDeviceAsync("boiler-1", $$"""{"displayName":"Boiler room","template":"{{ExportTests.Model}}"}""");

        // The hub's destination carries a key the namespace does not hold.
        var staleKey = Convert.ToBase64String("a-key-the-namespace-does-not-hold"u8.ToArray());
        var hub = await ExportTests.PutAsync(http, "dataExport/destinations/hub", Destination("eventhubs@v1", ns.ConnectionString(Hub, staleKey), ns.CertificatePem).ToJsonString());
        Assert.Equal("*****", (string?)hub["authorization"]!["connectionString"]);
        await ExportTests.PutAsync(http, "dataExport/destinations/queue", Destination("servicebusqueue@v1", ns.ConnectionString(Queue), ns.CertificatePem).ToJsonString());
        var listed = (JsonArray)(await ExportTests.GetAsync(http, "dataExport/destinations"))["value"]!;
        Assert.Equal(["eventhubs@v1", "servicebusqueue@v1"], listed.Select(d => (string?)d!["type"]).Order());
        Assert.All(listed, d => Assert.Equal("*****", (string?)d!["authorization"]!["connectionString"]));
        Assert.DoesNotContain(ns.Key, listed.ToJsonString(), StringComparison.Ordinal);

        await ExportTests.PutAsync(http, "dataExport/exports/out", """{"displayName":"Out","enabled":true,"source":"telemetry","destinations":[{"id":"hub"},{"id":"queue"}]}""");
        await using (var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "boiler-1", key),
            transport = "mqtt",
            action = "device",
            messages = new object[]
            {
                new { body = new { temperature = 20.5 }, contentType = "application/json", contentEncoding = "utf-8" },
                new { body = new { temperature = 21.5 }, contentType = "application/json", contentEncoding = "utf-8" },
                new { body = new { temperature = 22.5 }, contentType = "application/json", contentEncoding = "utf-8" },
            },
        }))
        {
            await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        }

        // The queue gets the telemetry with IoT Central's properties.
        await Wait.UntilAsync(() => Task.FromResult(ns.On(Queue).Count >= 3), TimeSpan.FromSeconds(30), "three messages on the queue");
        var queued = ns.On(Queue);
        Assert.Equal([20.5, 21.5, 22.5], queued.Select(m => (double)JsonNode.Parse(m.Body)!["telemetry"]!["temperature"]!));
        Assert.All(queued, m =>
        {
            Assert.Equal("application/json", m.ContentType);
            Assert.Equal("boiler-1", m.Properties["iotcentral-device-id"]);
            Assert.Equal("telemetry", m.Properties["iotcentral-message-source"]);
            Assert.True(m.Properties.ContainsKey("iotcentral-application-id"));
        });

        // The hub refuses the token: the destination shows the error and its cursor stays where it was.
        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/destinations/hub"))["status"] == "error",
            TimeSpan.FromSeconds(30), "the hub destination reports the refusal");
        var refused = await ExportTests.GetAsync(http, "dataExport/destinations/hub");
        Assert.Equal("destinationRejected", (string?)refused["errors"]![0]!["code"]);
        Assert.Contains("SharedAccessKey", (string?)refused["errors"]![0]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(staleKey, refused.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0L, (long)refused["metrics"]!["delivered"]!);
        Assert.True(ns.Refusals > 0);
        Assert.Empty(ns.On(Hub));
        Assert.Equal("error", (string?)(await ExportTests.GetAsync(http, "dataExport/exports/out"))["status"]);

        // The namespace takes the destination's key: the retries get through, from where the cursor stood.
        ns.Key = staleKey;
        await Wait.UntilAsync(() => Task.FromResult(ns.On(Hub).Count >= 3), TimeSpan.FromSeconds(30), "three events on the hub");
        Assert.Equal([20.5, 21.5, 22.5], ns.On(Hub).Select(m => (double)JsonNode.Parse(m.Body)!["telemetry"]!["temperature"]!));
        Assert.All(ns.On(Hub), m => Assert.Equal("boiler-1", m.PartitionKey));
        await Wait.UntilAsync(async () => (string?)(await ExportTests.GetAsync(http, "dataExport/destinations/hub"))["status"] == "healthy",
            TimeSpan.FromSeconds(30), "the hub destination healthy again");
        Assert.Equal(3L, (long)(await ExportTests.GetAsync(http, "dataExport/destinations/hub"))["metrics"]!["delivered"]!);
    }

    [Fact]
    public async Task Invalid_and_managed_identity_definitions_are_refused_in_iot_centrals_error_shape()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();

        async Task AssertRefusedAsync(string body, string fragment)
        {
            var response = await http.PutAsync($"api/dataExport/destinations/d1?{ExportTests.Preview}", CentrumServer.Json(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {text}");
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.False(string.IsNullOrEmpty((string?)error["code"]), text);
            Assert.Contains(fragment, (string?)error["message"], StringComparison.Ordinal);
        }

        await AssertRefusedAsync("""{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"systemAssignedManagedIdentity","hostName":"ns.servicebus.windows.net","eventHubName":"h"}}""",
            "not available on this installation");
        await AssertRefusedAsync("""{"displayName":"q","type":"servicebusqueue@v1","authorization":{"type":"connectionString","connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s"}}""",
            "EntityPath");
        await AssertRefusedAsync("""{"displayName":"t","type":"servicebustopic@v1","authorization":{"type":"connectionString","connectionString":"nonsense"}}""",
            "not a Service Bus connection string");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/dataExport/destinations/d1?{ExportTests.Preview}")).StatusCode);
    }

    private static JsonObject Destination(string type, string connectionString, string trustedCertificate) => new()
    {
        ["displayName"] = type,
        ["type"] = type,
        ["authorization"] = new JsonObject { ["type"] = "connectionString", ["connectionString"] = connectionString },
        ["trustedCertificate"] = trustedCertificate,
    };
}
