using System.Text.Json.Nodes;
using Centrum.Testing;

namespace Centrum.Dashboards.Tests;

/// <summary>IoT Central's tile schema: every published example reads and writes back unchanged, breaches are refused naming their path, and the reader holds under fuzzing.</summary>
public sealed class TileJsonTests
{
    private static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");

    /// <summary>Every tile array of the published dashboard examples, requests and answers, as text.</summary>
    public static IReadOnlyList<string> ExampleTiles()
    {
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(Examples, "dashboards_*.json").Order(StringComparer.Ordinal))
        {
            var example = JsonNode.Parse(File.ReadAllText(file))!;
            if (example["parameters"]?["body"]?["tiles"] is JsonArray request)
            {
                found.Add(request.ToJsonString());
            }

            foreach (var (_, answer) in example["responses"]!.AsObject())
            {
                var body = answer?["body"];
                foreach (var dashboard in body?["value"] is JsonArray list ? list : new JsonArray(body?.DeepClone()))
                {
                    if (dashboard?["tiles"] is JsonArray tiles)
                    {
                        found.Add(tiles.ToJsonString());
                    }
                }
            }
        }

        return found;
    }

    [Fact]
    public void Every_published_example_tile_reads_and_writes_back_as_published()
    {
        var examples = ExampleTiles();
        var types = new HashSet<string>(StringComparer.Ordinal);
        Assert.NotEmpty(examples);
        foreach (var text in examples)
        {
            var tiles = TileJson.Parse(text);
            var written = TileJson.ToJson(tiles);
            var published = JsonNode.Parse(text)!.AsArray();
            Assert.Equal(published.Count, written.Count);
            for (var i = 0; i < published.Count; i++)
            {
                var back = written[i]!.AsObject();
                back.Remove("id");
                Assert.True(JsonNode.DeepEquals(published[i], back), $"{published[i]!.ToJsonString()}\n{back.ToJsonString()}");
                types.Add(tiles[i].Type);
            }
        }

        // The examples show these types; the others (command, dataExplorer, image, label, mapTelemetry, property) are read by the tests below.
        Assert.Superset(new HashSet<string> { "lineChart", "barChart", "pieChart", "heatMapChart", "kpi", "lkv", "eventChart", "eventHistoryChart", "stateChart", "stateHistoryChart", "mapProperty", "deviceCount", "markdown", "externalContent" }, types);
    }

    private static readonly string[] OtherConfigurations =
    [
        """{"type":"command","device":"d1","command":"reboot"}""",
        """{"type":"command","group":"g","device":["d1"],"command":"reboot"}""",
        """{"type":"dataExplorer","queryRange":{"type":"time","duration":"P1D","resolution":"PT1H"},"query":"q1"}""",
        """{"type":"image","image":"asset","href":"https://example.com","format":{"backgroundColor":"#FFFFFF","fitImage":true,"textSize":14,"textSizeUnit":"px","showTitle":false}}""",
        """{"type":"label","text":"Hello","textSize":24,"textSizeUnit":"pt","wordWrap":true}""",
        """{"type":"mapTelemetry","group":"g","devices":[],"capabilities":[{"capability":"location","aggregateFunction":"count"}],"zoomLevel":3}""",
        """{"type":"property","group":"g","devices":["d"],"format":{"abbreviateValue":false,"decimalPlaces":2,"unit":"pt","wordWrap":false}}""",
        """{"type":"lineChart","group":"g","devices":["d"],"queryRange":{"type":"count","count":100}}""",
    ];

    public static TheoryData<string> OtherTypes => new(OtherConfigurations);

    [Theory]
    [MemberData(nameof(OtherTypes))]
    public void The_types_the_examples_do_not_show_are_read_by_their_schema(string configuration)
    {
        var tiles = TileJson.Parse($$"""[{"displayName":"T","configuration":{{configuration}},"x":0,"y":0,"width":1,"height":1}]""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(configuration), JsonNode.Parse(tiles[0].Configuration.GetRawText())));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { Tile("""{"type":"gauge"}"""), "tiles[0].configuration.type 'gauge' is not a tile type" },
        { Tile("""{"group":"g"}"""), "tiles[0].configuration.type is required" },
        { Tile("""{"type":"markdown","description":"d"}""", x: 101), "tiles[0].x must be between 0 and 100" },
        { Tile("""{"type":"markdown","description":"d"}""", width: 11), "tiles[0].width must be between 1 and 10" },
        { Tile("""{"type":"markdown","description":"d"}""", width: 0), "tiles[0].width must be between 1 and 10" },
        { Tile("""{"type":"markdown","description":"d"}""", x: 1.5), "tiles[0].x must be a whole number" },
        { Tile("""{"type":"markdown"}"""), "tiles[0].configuration.description is required for a markdown tile" },
        { Tile("""{"type":"markdown","description":"d","sourceUrl":"u"}"""), "tiles[0].configuration.sourceUrl is not a member of a markdown tile" },
        { Tile("""{"type":"kpi","group":"g","devices":[]}"""), "tiles[0].configuration.queryRange is required for a kpi tile" },
        { Tile("""{"type":"kpi","group":"g","devices":[],"queryRange":{"type":"time","duration":"P2D"}}"""), "tiles[0].configuration.queryRange.duration must be one of" },
        { Tile("""{"type":"kpi","group":"g","devices":[],"queryRange":{"type":"count","count":100}}"""), "tiles[0].configuration.queryRange.type must be 'time'" },
        { Tile("""{"type":"lineChart","group":"g","devices":[],"queryRange":{"type":"count","count":50}}"""), "tiles[0].configuration.queryRange.count must be 100" },
        { Tile("""{"type":"lkv","group":"g","devices":[],"capabilities":[{"capability":"t","aggregateFunction":"median"}]}"""), "tiles[0].configuration.capabilities[0].aggregateFunction must be one of" },
        { Tile("""{"type":"lkv","group":"g","devices":[1]}"""), "tiles[0].configuration.devices[0] must be a string" },
        { Tile($$"""{"type":"lkv","group":"g","devices":[{{string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"d{i}\""))}}]}"""), "tiles[0].configuration.devices holds at most 100 items" },
        { Tile("""{"type":"label","text":""}"""), "tiles[0].configuration.text must not be empty" },
        { Tile("""{"type":"lineChart","group":"g","devices":[],"queryRange":{"type":"time","duration":"P1D"},"format":{"xAxisEnabled":"yes"}}"""), "tiles[0].configuration.format.xAxisEnabled must be true or false" },
        { Tile("""{"type":"mapProperty","group":"g","devices":[],"zoomLevel":25}"""), "tiles[0].configuration.zoomLevel must be a number between 0 and 24" },
        { Tile("""{"type":"command","device":[[[[[[[[[["d"]]]]]]]]]],"command":"c"}"""), "tiles[0].configuration.device is nested deeper than 8 levels" },
        { """[{"configuration":{"type":"markdown","description":"d"},"x":0,"y":0,"width":1,"height":1}]""", "tiles[0].displayName is required" },
        { """[{"displayName":"T","configuration":{"type":"markdown","description":"d"},"x":0,"y":0,"width":1,"height":1,"colour":"red"}]""", "tiles[0].colour is not a member of a tile" },
        { "[" + string.Join(",", Enumerable.Repeat(Tile("""{"type":"markdown","description":"d"}""")[1..^1], 101)) + "]", "tiles holds at most 100 tiles" },
        { """{"tiles":[]}""", "tiles must be an array of tiles" },
        { "[" + new string('[', 40) + new string(']', 40) + "]", "tiles are not valid JSON" },
        { """[{"displayName":"T","displayName":"U"}]""", "tiles are not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_tile_that_breaks_the_schema_is_refused_naming_the_path(string tiles, string message)
    {
        var refused = Assert.Throws<DashboardFormatException>(() => TileJson.Parse(tiles));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_changes_to_the_published_tiles_end_in_a_refusal_or_a_valid_tile_list()
    {
        var seeds = ExampleTiles().Distinct().Concat(OtherConfigurations.Select(c => Tile(c))).ToList();
        string[] tokens =
        [
            "{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "null", "true", "1e400", "-1", "0.5", "100", "101",
            "\"type\":", "\"lineChart\"", "\"count\"", "\"time\"", "\"queryRange\":", "\"devices\":", "\"capabilities\":", "\"x\":", "\"width\":",
            "\"configuration\":", "\"device\":", "\"format\":", "\"command\"", "\uD800", "💡",
        ];

        Fuzz.Run<DashboardFormatException>(20_000, seed: 1515, random => Fuzz.Mutate(random, Fuzz.Pick(random, seeds), tokens, seeds), text =>
        {
            var tiles = TileJson.Parse(text);
            Assert.True(tiles.Count <= TileRules.MaxTiles);
            // What was read is valid by the rules and reads back the same from its own JSON.
            Assert.Equal(tiles.Count, TileJson.Parse(TileJson.ToJson(tiles).ToJsonString()).Count);
        });
    }

    private static string Tile(string configuration, double x = 0, int width = 1) =>
        $$"""[{"displayName":"T","configuration":{{configuration}},"x":{{x.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"y":0,"width":{{width}},"height":1}]""";
}
