using System.Text.Json.Nodes;

namespace Centrum.Twins.Tests;

public sealed class TwinDocumentsTests
{
    [Fact]
    public void Merge_patches_merge_objects_delete_nulls_and_replace_the_rest()
    {
        var target = JsonNode.Parse("""{"a":1,"b":{"c":2,"d":3},"e":[1,2]}""")!.AsObject();
        TwinDocuments.Merge(target, JsonNode.Parse("""{"a":null,"b":{"c":20,"x":{"y":1}},"e":[3]}""")!.AsObject());
        Assert.Equal("""{"b":{"c":20,"d":3,"x":{"y":1}},"e":[3]}""", target.ToJsonString());
    }

    [Theory]
    [InlineData("""{"a.b":1}""", "'a.b'")]
    [InlineData("""{"$x":1}""", "'$x'")]
    [InlineData("""{"a b":1}""", "'a b'")]
    [InlineData("""{"":1}""", "''")]
    [InlineData("""{"n":4503599627370496}""", "safe integer")]
    [InlineData("""{"n":-4503599627370497}""", "safe integer")]
    public void Invalid_names_and_values_are_refused_with_their_path(string json, string mentions)
    {
        Assert.Contains(mentions, TwinDocuments.Validate(JsonNode.Parse(json)!.AsObject()), StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_on_depth_strings_and_names_hold_at_their_boundaries()
    {
        JsonNode Nest(int levels)
        {
            JsonNode node = new JsonObject { ["leaf"] = 1 };
            for (var i = 1; i < levels; i++)
            {
                node = new JsonObject { ["l"] = node };
            }

            return node;
        }

        Assert.Null(TwinDocuments.Validate(Nest(10).AsObject()));
        Assert.Contains("deeper than 10", TwinDocuments.Validate(Nest(11).AsObject()), StringComparison.Ordinal);
        Assert.Null(TwinDocuments.Validate(new JsonObject { ["s"] = new string('x', 4096) }));
        Assert.NotNull(TwinDocuments.Validate(new JsonObject { ["s"] = new string('x', 4097) }));
        Assert.Null(TwinDocuments.Validate(new JsonObject { [new string('k', 1024)] = 1 }));
        Assert.NotNull(TwinDocuments.Validate(new JsonObject { [new string('k', 1025)] = 1 }));
        Assert.Null(TwinDocuments.Validate(JsonNode.Parse("""{"n":4503599627370495,"f":1.5e300,"t":true}""")!.AsObject()));
    }

    [Fact]
    public void Size_follows_IoT_Hubs_rule()
    {
        // keys 1 + 1 + 1 + 1, string 3 bytes, number 8, boolean 4, nested key 1 + number 8
        Assert.Equal(4 + 3 + 8 + 4 + 1 + 8, TwinDocuments.Size(JsonNode.Parse("""{"a":"xyz","b":1,"c":true,"d":{"e":2}}""")));
    }

    [Fact]
    public void Metadata_records_time_and_version_per_touched_property()
    {
        var metadata = new JsonObject();
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        TwinDocuments.UpdateMetadata(metadata, JsonNode.Parse("""{"a":1,"b":{"c":2}}""")!.AsObject(), at, 7);
        Assert.Equal(7, (long)metadata["a"]!["$lastUpdatedVersion"]!);
        Assert.Equal(7, (long)metadata["b"]!["c"]!["$lastUpdatedVersion"]!);
        Assert.StartsWith("2026-01-02T03:04:05", (string?)metadata["b"]!["$lastUpdated"], StringComparison.Ordinal);
        TwinDocuments.UpdateMetadata(metadata, JsonNode.Parse("""{"a":null}""")!.AsObject(), at, 8);
        Assert.Null(metadata["a"]);
    }
}
