using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// POST /api/query over telemetry from Azure IoT Node.js SDK devices answers the same before the server's roller has
/// summarized it (raw rows) and after (rollup tables), against the real server process.
/// </summary>
public sealed class RollupQueryTests
{
    private const string Preview = "api-version=2022-10-31-preview";

    [Fact]
    public async Task An_aggregate_query_answers_the_same_before_and_after_the_roller_summarizes_the_devices_telemetry()
    {
        // A pass a second: the minute the devices send in closes within a minute, and is rolled a second later.
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Telemetry:Rollups:Interval"] = "00:00:01" });
        var http = server.AdminHttp();
        var template = """{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"dtmi:com:example:Climate;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"temperature","schema":"double"},{"@type":"Telemetry","name":"humidity","schema":"double"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceTemplates/dtmi:com:example:Climate;1?{DeviceApi.Version}", CentrumServer.Json(template))).StatusCode);
        var sent = new List<(double Temperature, double Humidity)>();
        foreach (var deviceId in new[] { "climate-1", "climate-2" })
        {
            var key = await http.CreateDeviceAsync(deviceId, """{"template":"dtmi:com:example:Climate;1"}""");
            var messages = Enumerable.Range(0, 6).Select(i => (Temperature: 20 + i * 0.25 + (deviceId == "climate-2" ? 5 : 0), Humidity: 40.0 + i)).ToList();
            sent.AddRange(messages);
            var events = await NodeDevice.RunAsync(server, new
            {
                connectionString = NodeDevice.ConnectionString(server, deviceId, key),
                transport = "mqtt",
                action = "telemetry",
                messages = messages.Select(m => new { body = new { temperature = m.Temperature, humidity = m.Humidity }, contentType = "application/json", contentEncoding = "utf-8" }).ToArray(),
            });
            Assert.Equal(messages.Count, events.Count(e => (string?)e["event"] == "sent"));
        }

        const string Query = "SELECT AVG(temperature), MAX(temperature), MIN(humidity), COUNT(humidity), SUM(humidity) FROM dtmi:com:example:Climate;1 WHERE WITHIN_WINDOW(PT1H) GROUP BY WINDOW(PT1M)";
        var before = await QueryAsync(http, Query);
        Assert.Equal(sent.Count, before.Sum(r => (long)r["count_humidity"]!));
        Assert.Equal(sent.Sum(m => m.Humidity), before.Sum(r => (double)r["sum_humidity"]!), 9);
        Assert.Equal(sent.Max(m => m.Temperature), before.Max(r => (double)r["max_temperature"]!));

        // Wait until the roller has summarized every value into the minute table (the metric counts them).
        using var probe = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(150);
        while (await RolledAsync(probe, server, "60") < sent.Count * 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The roller did not summarize the telemetry within 150 s.");
            await Task.Delay(250);
        }

        var after = await QueryAsync(http, Query);
        Assert.Equal(before.Select(r => r.ToJsonString()), after.Select(r => r.ToJsonString()));
    }

    /// <summary>Values the roller summarized into the table of this width, from the server's Prometheus scrape.</summary>
    private static async Task<double> RolledAsync(HttpClient http, CentrumServer server, string widthSeconds)
    {
        var text = await http.GetStringAsync($"http://{server.Address}:9464/metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith("centrum_telemetry_rollup_values", StringComparison.Ordinal) && l.Contains($"centrum_rollup_width=\"{widthSeconds}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    private static async Task<List<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }
}
