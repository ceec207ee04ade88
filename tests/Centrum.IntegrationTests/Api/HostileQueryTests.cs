using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Hostile queries and bodies against the real server process: each is a 400 in IoT Central's error shape, and the
/// process goes on answering (it used to die of a stack overflow on 10,000 nested parentheses).
/// </summary>
public sealed class HostileQueryTests
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Model = "dtmi:com:example:Meter;1";

    [Fact]
    public async Task Deep_long_and_wide_queries_and_bodies_are_refused_and_the_server_answers_the_next_query()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var template = $$$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"power","schema":"double"},{"@type":"Telemetry","name":"voltage","schema":"double"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template))).StatusCode);
        var key = await http.CreateDeviceAsync("meter-1", $$"""{"template":"{{Model}}"}""");
        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "meter-1", key, cleanSession: true));
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/meter-1/messages/events/%24.ct=application%2Fjson")
                .WithPayload("""{"power":1.5,"voltage":230}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync();
        }

        // 10,000 nested parentheses, 20 KB: the query that ended the process.
        var nested = $"SELECT power FROM {Model} WHERE {new string('(', 10_000)}power > 1{new string(')', 10_000)}";
        await AssertRefusedAsync(await QueryAsync(http, nested), "InvalidQuery", "at most");
        var deep = $"SELECT power FROM {Model} WHERE {new string('(', 40)}power > 1{new string(')', 40)}";
        await AssertRefusedAsync(await QueryAsync(http, deep), "InvalidQuery", "parentheses");
        await AssertRefusedAsync(await QueryAsync(http, $"SELECT power FROM {Model} WHERE WITHIN_WINDOW(P400D)"), "InvalidQuery", "WITHIN_WINDOW spans at most");
        await AssertRefusedAsync(await QueryAsync(http, $"SELECT power FROM {Model} WHERE WITHIN_WINDOW(P99999999999999W)"), "InvalidQuery", "duration");

        // Bodies: nested deeper than a REST body may be, and a member named twice.
        var deepBody = new StringBuilder("{\"query\":").Append('[', 10_000).Append(']', 10_000).Append('}').ToString();
        await AssertRefusedAsync(await http.PostAsync($"api/query?{Preview}", CentrumServer.Json(deepBody)), "BadRequest", "not valid JSON");
        await AssertRefusedAsync(await http.PostAsync($"api/query?{Preview}", CentrumServer.Json($$"""{"query":"SELECT power FROM {{Model}}","query":"x"}""")), "BadRequest", "not valid JSON");
        await AssertRefusedAsync(
            await http.PatchAsync($"api/devices/meter-1?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"a","displayName":"b"}""")), "BadRequest", "not valid JSON");

        // The process is alive and answers: the reading is there.
        var response = await QueryAsync(http, $"SELECT $id, power, voltage FROM {Model} WHERE WITHIN_WINDOW(PT1H)");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var row = Assert.Single(JsonNode.Parse(text)!["results"]!.AsArray())!;
        Assert.Equal(1.5, (double)row["power"]!);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/devices/meter-1?{DeviceApi.Version}")).StatusCode);
    }

    [Fact]
    public async Task A_pivot_over_more_rows_than_the_configured_cap_is_refused_with_its_own_code()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Query:MaxPivotRows"] = "3" });
        var http = server.AdminHttp();
        var template = $$$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"power","schema":"double"},{"@type":"Telemetry","name":"voltage","schema":"double"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template))).StatusCode);
        var key = await http.CreateDeviceAsync("meter-1", $$"""{"template":"{{Model}}"}""");
        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "meter-1", key, cleanSession: true));
            for (var i = 0; i < 3; i++)
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/meter-1/messages/events/%24.ct=application%2Fjson")
                    .WithPayload($$"""{"power":{{i}},"voltage":230}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            await client.DisconnectAsync();
        }

        await AssertRefusedAsync(await QueryAsync(http, $"SELECT power, voltage FROM {Model} WHERE WITHIN_WINDOW(PT1H)"), "QueryTooLarge", "more than 3");
        var single = await QueryAsync(http, $"SELECT power FROM {Model} WHERE WITHIN_WINDOW(PT1H)");
        Assert.Equal(3, JsonNode.Parse(await single.Content.ReadAsStringAsync())!["results"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_query_past_the_configured_time_limit_is_interrupted_with_its_own_code_and_the_server_goes_on()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Query:Timeout"] = "00:00:01",
            ["Centrum:Query:MaxPivotRows"] = "1000000000",
        });
        var http = server.AdminHttp();
        var template = $$$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"power","schema":"double"},{"@type":"Telemetry","name":"voltage","schema":"double"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceTemplates/{Model}?{DeviceApi.Version}", CentrumServer.Json(template))).StatusCode);
        var key = await http.CreateDeviceAsync("meter-1", $$"""{"template":"{{Model}}"}""");
        using (var client = MqttDevice.CreateClient())
        {
            // The application's telemetry database exists once a message is stored.
            await client.ConnectAsync(MqttDevice.Options(server, "meter-1", key, cleanSession: true));
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/meter-1/messages/events/%24.ct=application%2Fjson")
                .WithPayload("""{"power":1}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync();
        }

        // Four million readings of two fields in the last hour, written while the server is stopped (DuckDB admits
        // one process): a query that pivots them takes far longer than a second.
        await server.StopAsync();
        using (var duck = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}"))
        {
            duck.Open();
            using var insert = duck.CreateCommand();
            insert.CommandText = """
                INSERT INTO telemetry (seq, enqueued_time, device_id, name, value_number, value_json, modeled)
                SELECT 1000 + r, $start + to_microseconds(r * 800), 'meter-1', f.name, r % 100, CAST(r % 100 AS VARCHAR), true
                FROM range(4000000) t(r), (VALUES ('power'), ('voltage')) f(name);
                CHECKPOINT;
                """;
            insert.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("start", DateTime.UtcNow.AddMinutes(-59)));
            insert.ExecuteNonQuery();
        }

        await server.StartAsync();
        http = server.AdminHttp();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await AssertRefusedAsync(await QueryAsync(http, $"SELECT $id, power, voltage FROM {Model} WHERE WITHIN_WINDOW(PT1H) ORDER BY voltage DESC"), "QueryTimeout", "longer than 1 s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"answered after {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/devices/meter-1?{DeviceApi.Version}")).StatusCode);
    }

    private static Task<HttpResponseMessage> QueryAsync(HttpClient http, string query) =>
        http.PostAsync($"api/query?{Preview}", CentrumServer.Json(new JsonObject { ["query"] = query }.ToJsonString()));

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code, string fragment)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal(code, response.Headers.GetValues("x-ms-error-code").Single());
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.Contains(fragment, (string?)error["message"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)error["requestId"]));
        Assert.NotNull(error["time"]);
    }
}
