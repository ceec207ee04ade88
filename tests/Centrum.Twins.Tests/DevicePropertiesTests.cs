using System.Text.Json.Nodes;

namespace Centrum.Twins.Tests;

public sealed class DevicePropertiesTests
{
    private static Twin Twin(string desired, long desiredVersion, string reported)
    {
        var desiredDoc = JsonNode.Parse(desired)!.AsObject();
        var desiredMetadata = new JsonObject();
        TwinDocuments.UpdateMetadata(desiredMetadata, desiredDoc, DateTimeOffset.UtcNow, desiredVersion);
        var reportedDoc = JsonNode.Parse(reported)!.AsObject();
        var reportedMetadata = new JsonObject();
        TwinDocuments.UpdateMetadata(reportedMetadata, reportedDoc, DateTimeOffset.UtcNow, 2);
        return new Twin(desiredDoc, desiredVersion, desiredMetadata, reportedDoc, 2, reportedMetadata);
    }

    [Theory]
    [InlineData("""{"target":{"value":21,"ac":200,"av":3}}""", "accepted")]
    [InlineData("""{"target":{"value":21,"ac":203,"av":3}}""", "accepted")]
    [InlineData("""{"target":{"value":21,"ac":400,"av":3}}""", "failed")]
    [InlineData("""{"target":{"value":20,"ac":200,"av":2}}""", "pending")]
    [InlineData("""{}""", "pending")]
    public void A_writable_property_settles_on_the_acknowledgement_of_its_desired_version(string reported, string state)
    {
        var view = DeviceProperties.View(Twin("""{"target":21}""", 3, reported), null);
        Assert.Equal(state, (string?)view["$metadata"]!["target"]!["state"]);
        Assert.Equal(21, (int)view["$metadata"]!["target"]!["desiredValue"]!);
    }

    [Fact]
    public void Components_nest_with_their_own_metadata_and_acknowledgements_unwrap()
    {
        var twin = Twin(
            """{"thermostat1":{"__t":"c","targetTemperature":30}}""", 4,
            """{"serial":"x1","thermostat1":{"__t":"c","maxTemp":38.2,"targetTemperature":{"value":30,"ac":200,"av":4,"ad":"done"}}}""");
        var root = DeviceProperties.View(twin, null);
        Assert.Equal("x1", (string?)root["serial"]);
        var component = root["thermostat1"]!;
        Assert.Equal(38.2, (double)component["maxTemp"]!);
        Assert.Equal(30, (int)component["targetTemperature"]!);
        Assert.Equal("accepted", (string?)component["$metadata"]!["targetTemperature"]!["state"]);
        Assert.Equal("done", (string?)component["$metadata"]!["targetTemperature"]!["ackDescription"]);
        Assert.Null(component["__t"]);

        var direct = DeviceProperties.View(twin, "thermostat1");
        Assert.Equal(component.ToJsonString(), direct.ToJsonString());
    }

    [Fact]
    public void Writes_become_desired_patches_with_component_markers_and_replacements_remove_omitted_values()
    {
        var twin = Twin("""{"a":1,"b":2,"thermostat1":{"__t":"c","t":3,"u":4}}""", 2, "{}");
        Assert.Equal("""{"a":5}""", DeviceProperties.DesiredPatch(JsonNode.Parse("""{"a":5}""")!.AsObject(), twin, null, replace: false).ToJsonString());
        Assert.Equal("""{"a":5,"b":null}""", DeviceProperties.DesiredPatch(JsonNode.Parse("""{"a":5}""")!.AsObject(), twin, null, replace: true).ToJsonString());
        Assert.Equal("""{"thermostat1":{"t":9,"__t":"c"}}""", DeviceProperties.DesiredPatch(JsonNode.Parse("""{"t":9}""")!.AsObject(), twin, "thermostat1", replace: false).ToJsonString());
        Assert.Equal("""{"thermostat1":{"t":9,"u":null,"__t":"c"}}""", DeviceProperties.DesiredPatch(JsonNode.Parse("""{"t":9}""")!.AsObject(), twin, "thermostat1", replace: true).ToJsonString());
        Assert.Equal("""{"thermostat1":{"t":7,"__t":"c"}}""", DeviceProperties.DesiredPatch(JsonNode.Parse("""{"thermostat1":{"t":7}}""")!.AsObject(), twin, null, replace: false).ToJsonString());
    }
}
