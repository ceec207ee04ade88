using System.Net;
using System.Text.Json.Nodes;
using Centrum.Export.Tests.Messages;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// Every export source through the real server to a real webhook: each delivered message compared with the example
/// IoT Central publishes for its source (member, place and JSON type), as a consumer written for IoT Central reads it.
/// </summary>
public sealed class ExportMessageFormatTests
{
    private const string Model = "dtmi:com:example:Vitals;1";

    private static readonly string[] Sources = ["telemetry", "properties", "deviceConnectivity", "deviceLifecycle", "deviceTemplateLifecycle", "audit"];

    /// <summary>Centrum's members beyond IoT Central's examples, by source (docs/api.md, data export).</summary>
    private static readonly Dictionary<string, string[]> Extras = new()
    {
        ["deviceLifecycle"] = ["templateName"],
        ["deviceTemplateLifecycle"] = ["templateName"],
        ["audit"] = ["request", "outcome"],
    };

    [Fact]
    public async Task Each_source_delivers_the_documented_message_shape()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await ExportTests.PutAsync(http, "dataExport/destinations/conform", $$"""{"displayName":"Conformance","type":"webhook@v1","url":"{{receiver.Url}}conform"}""");
        foreach (var source in Sources)
        {
            // The documented examples show one enrichment, userSpecifiedKey; the property export's second one reads a
            // property the device never reports, which IoT Central leaves out.
            var enrichments = source == "properties"
                ? $$$"""{"userSpecifiedKey":{"value":"sampleValue"},"never":{"target":"{{{Model}}}","path":"neverReported"}}"""
                : """{"userSpecifiedKey":{"value":"sampleValue"}}""";
            await ExportTests.PutAsync(http, $"dataExport/exports/{source}", $$"""{"displayName":"{{source}}","enabled":true,"source":"{{source}}","enrichments":{{enrichments}},"destinations":[{"id":"conform"}]}""");
        }

        var template = $$$"""
            {"displayName":"Vitals","@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[
              {"@type":"Property","name":"neverReported","schema":"string"},
              {"@type":"Component","name":"device_info","schema":{"@id":"dtmi:com:example:DeviceInfo;1","@type":"Interface","contents":[
                {"@type":"Property","name":"swVersion","schema":"string","writable":true}]}}]}}
            """;
        var created = await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var key = await http.CreateDeviceAsync("vitals-1", $$"""{"displayName":"Sensor 1","template":"{{Model}}"}""");

        // The Node.js SDK device acknowledges a writable property in its component and sends the documented telemetry
        // body twice: in the modeled component, and naming a component the template does not model.
        var body = DocumentedMessages.Example("telemetry")["telemetry"]!;
        await using (var device = NodeDevice.Start(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "vitals-1", key),
            transport = "mqtt",
            action = "device",
            twin = true,
            reports = new object[] { new { device_info = new Dictionary<string, object> { ["__t"] = "c", ["swVersion"] = new { value = "12", ac = 200, av = 1 } } } },
            messages = new object[]
            {
                new { body, contentType = "application/json", contentEncoding = "utf-8", component = "device_info", properties = new { messageProp = "value" } },
                new { body, contentType = "application/json", contentEncoding = "utf-8", component = "unmodeled", properties = new { messageProp = "unmodeled" } },
            },
        }))
        {
            await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        }

        await Wait.UntilAsync(
            () => Task.FromResult(Sources.All(s => Received(receiver, s).Count >= (s == "telemetry" ? 2 : 1))
                && Received(receiver, "deviceConnectivity").Any(m => (string?)m["messageType"] == "disconnected")),
            TimeSpan.FromSeconds(30), "a message of every source");

        var problems = new List<string>();
        foreach (var message in receiver.At("/conform").Select(r => r.Json))
        {
            var source = (string)message["messageSource"]!;
            var unmodeled = source == "telemetry" && (string?)message["messageProperties"]?["messageProp"] == "unmodeled";

            // The device is not an IoT Edge module, so no message names one; the unmodeled component is not named.
            // Every audited change here (the audit export, the template, the device) names its resource's display name.
            string[] missing = source switch
            {
                "telemetry" when unmodeled => ["module", "component"],
                "telemetry" => ["module"],
                _ => [],
            };
            problems.AddRange(DocumentedMessages.Differences(message, Extras.GetValueOrDefault(source, []), missing).Select(p => $"{source}: {p}"));
            Assert.Equal("sampleValue", (string?)message["enrichments"]!["userSpecifiedKey"]);
            Assert.False(message["enrichments"]!.AsObject().ContainsKey("never"));
            if (unmodeled)
            {
                Assert.False(message.ContainsKey("component"));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var reported = Received(receiver, "properties").Single(m => (string?)m["messageType"] == "devicePropertyReportedChange");
        var swVersion = Assert.Single(reported["properties"]!.AsArray())!;
        Assert.Equal("device_info", (string?)swVersion["component"]);
        Assert.Equal("12", (string?)swVersion["value"]); // the acknowledged value, not the acknowledgement
        Assert.Equal("device_info", (string?)Received(receiver, "telemetry").Single(m => (string?)m["messageProperties"]!["messageProp"] == "value")["component"]);

        // One application, one GUID in every message.
        Assert.Single(receiver.At("/conform").Select(r => (string?)r.Json["applicationId"]).Distinct());
    }

    private static List<JsonObject> Received(WebhookReceiver receiver, string source) =>
        receiver.At("/conform").Select(r => r.Json).Where(m => (string?)m["messageSource"] == source).ToList();
}
