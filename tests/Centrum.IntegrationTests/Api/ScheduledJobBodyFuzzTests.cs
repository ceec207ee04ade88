using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Scheduled-job bodies mutated at random (values replaced by other types, extreme numbers and odd times, members
/// removed, unknown members added, deep nesting) against the real server: every answer is a success or a 4xx in IoT
/// Central's error shape, never a 5xx, and the server logs no error (the fixture fails on one).
/// </summary>
public sealed class ScheduledJobBodyFuzzTests
{
    private const string Template = "dtmi:com:example:Fuzzed;1";

    private const int Bodies = 400;

    private static readonly JsonNode?[] Values =
    [
        null, true, false, 0, -1, 1, 999, 1000, int.MaxValue, long.MaxValue, 1e308, -1e308, 0.5, "", "x", new string('a', 5000),
        "2030-01-01T00:00:00Z", "2030-01-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2030-02-30T00:00:00Z", "2030-01-01T00:00:00+14:00",
        "daily", "weekly", "monthly", "date", "occurrences", "command", "property", Template, "controllers",
    ];

    [Fact]
    public async Task Mutated_bodies_are_answered_with_a_success_or_a_4xx_and_never_crash_the_server()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var template = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Template)}?{DeviceApi.Version}", CentrumServer.Json($$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"Fuzzed","capabilityModel":{"@id":"{{{Template}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[{"@type":"Command","name":"reboot"},{"@type":"Property","name":"level","schema":"integer","writable":true}]}}
            """));
        Assert.True(template.StatusCode == HttpStatusCode.OK, await template.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"api/deviceGroups/controllers?{DeviceApi.Version}",
            CentrumServer.Json("""{"displayName":"Controllers","filter":"SELECT * FROM devices"}"""))).StatusCode);
        var valid = JsonNode.Parse($$$"""
            {"displayName":"Fuzz","description":"","group":"controllers","batch":{"type":"number","value":10},
             "cancellationThreshold":{"type":"percentage","value":10,"batch":false},
             "data":[{"type":"command","target":"{{{Template}}}","path":"reboot","value":null}],
             "schedule":{"start":"2030-01-01T00:00:00Z","recurrence":"weekly","end":{"type":"occurrences","occurrences":3}},"enabled":true}
            """)!;

        var random = new Random(13_2026);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Bodies; i++)
        {
            var body = valid.DeepClone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                body = Mutate(body, random, 0);
            }

            var response = await http.PutAsync($"api/scheduledJobs/fuzz-{i}?{DeviceApi.Version}", CentrumServer.Json(body?.ToJsonString() ?? "null"));
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status is 200 or 400 or 403 or 412, $"{status} for {body?.ToJsonString()}: {text}");
            if (status != 200)
            {
                Assert.NotNull(JsonNode.Parse(text)?["error"]?["message"]);
            }
        }

        // The mutations reach both the accepted and the refused paths.
        Assert.True(statuses.GetValueOrDefault(200) > 10 && statuses.GetValueOrDefault(400) > 100, string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
    }

    private static JsonNode? Mutate(JsonNode? node, Random random, int depth)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0 && random.Next(4) > 0:
                var name = obj.ElementAt(random.Next(obj.Count)).Key;
                switch (random.Next(5))
                {
                    case 0:
                        obj.Remove(name);
                        break;
                    case 1:
                        obj["unexpected" + random.Next(3)] = Value(random, depth);
                        break;
                    default:
                        obj[name] = Mutate(obj[name]?.DeepClone(), random, depth + 1);
                        break;
                }

                return obj;
            case JsonArray array when array.Count > 0 && random.Next(4) > 0:
                var index = random.Next(array.Count);
                array[index] = Mutate(array[index]?.DeepClone(), random, depth + 1);
                if (random.Next(4) == 0)
                {
                    array.Add(Value(random, depth));
                }

                return array;
            default:
                return Value(random, depth);
        }
    }

    private static JsonNode? Value(Random random, int depth) => random.Next(10) switch
    {
        0 when depth < 4 => new JsonObject { ["type"] = Values[random.Next(Values.Length)]?.DeepClone(), ["value"] = Values[random.Next(Values.Length)]?.DeepClone() },
        1 when depth < 4 => new JsonArray(Values[random.Next(Values.Length)]?.DeepClone()),
        2 => Nested(random.Next(1, 80)),
        _ => Values[random.Next(Values.Length)]?.DeepClone(),
    };

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonObject { ["a"] = node };
        }

        return node;
    }
}
