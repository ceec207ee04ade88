using System.Net;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Api;

/// <summary>POST /api/query over telemetry that devices sent through the gateway.</summary>
public sealed class QueryApiTests
{
    private const string Preview = "api-version=2022-10-31-preview";

    [Fact]
    public async Task A_query_over_a_template_returns_its_devices_telemetry_and_errors_point_at_tokens()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var template = """{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"dtmi:com:example:Meter;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"power","schema":"double"},{"@type":"Property","name":"serial","schema":"string"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceTemplates/dtmi:com:example:Meter;1?{DeviceApi.Version}", CentrumServer.Json(template))).StatusCode);
        var readings = new Dictionary<string, double[]> { ["meter-1"] = [1.5, 2.5, 3.5], ["meter-2"] = [10, 20] };
        foreach (var (deviceId, values) in readings)
        {
            var key = await http.CreateDeviceAsync(deviceId, """{"template":"dtmi:com:example:Meter;1"}""");
            using var client = MqttDevice.CreateClient();
            await client.ConnectAsync(MqttDevice.Options(server, deviceId, key, cleanSession: true));
            foreach (var value in values)
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson")
                    .WithPayload($$"""{"power":{{value}}}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            await client.DisconnectAsync();
        }

        // A device outside the template is not in the results.
        var outsider = await http.CreateDeviceAsync("outsider");
        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "outsider", outsider, cleanSession: true));
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/outsider/messages/events/").WithPayload("""{"power":1000}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync();
        }

        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json("""{"query":"SELECT $id, AVG(power), MAX(power), COUNT(power) FROM dtmi:com:example:Meter;1 WHERE WITHIN_WINDOW(PT1H)"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text); // $id cannot be mixed with aggregates without a window
        Assert.Contains("position 7", text, StringComparison.Ordinal);

        var aggregates = await QueryAsync(http, "SELECT AVG(power), MAX(power), COUNT(power) FROM dtmi:com:example:Meter;1 WHERE WITHIN_WINDOW(PT1H)");
        var row = Assert.Single(aggregates);
        var all = readings.Values.SelectMany(v => v).ToList();
        Assert.Equal(all.Average(), (double)row["avg_power"]!, 9);
        Assert.Equal(all.Max(), (double)row["max_power"]!);
        Assert.Equal(all.Count, (long)row["count_power"]!);

        var perDevice = await QueryAsync(http, "SELECT $id, power FROM dtmi:com:example:Meter;1 WHERE $id = 'meter-1' ORDER BY power DESC");
        Assert.Equal([3.5, 2.5, 1.5], perDevice.Select(r => (double)r["power"]!));

        var unknown = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json("""{"query":"SELECT voltage FROM dtmi:com:example:Meter;1"}"""));
        await RestAuthorizationTests.AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "InvalidQuery");
        var property = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json("""{"query":"SELECT serial FROM dtmi:com:example:Meter;1"}"""));
        Assert.Contains("property queries", await property.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ga = await http.PostAsync($"api/query?{DeviceApi.Version}", CentrumServer.Json("""{"query":"SELECT power FROM dtmi:com:example:Meter;1"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, ga.StatusCode);
    }

    private static async Task<IReadOnlyList<JsonObject>> QueryAsync(HttpClient http, string query)
    {
        var response = await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["results"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }
}
