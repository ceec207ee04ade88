using System.Text.Json.Nodes;

namespace Centrum.Twins.Tests;

/// <summary>
/// Manifests of schema 1.0 are kept as 1.1, as IoT Central returns them (IoT Central documentation, "Manage IoT Edge
/// deployment manifests with the REST API").
/// </summary>
public sealed class DeploymentManifestNormalizationTests
{
    private static JsonObject Manifest(string agentVersion, string hubVersion, string storeAndForward) => JsonNode.Parse("""
        {"modulesContent": {
          "$edgeAgent": {"properties.desired": {"schemaVersion": "AGENT", "runtime": {"type": "docker", "settings": {}},
            "systemModules": {"edgeAgent": {"type": "docker", "settings": {"image": "a"}}, "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always", "settings": {"image": "h"}}}}},
          "$edgeHub": {"properties.desired": {"schemaVersion": "HUB", "routes": {"up": "FROM /messages/* INTO $upstream"}STORE}},
          "m1": {"properties.desired": {"schemaVersion": "1.0"}}
        }}
        """.Replace("AGENT", agentVersion, StringComparison.Ordinal).Replace("HUB", hubVersion, StringComparison.Ordinal).Replace("STORE", storeAndForward, StringComparison.Ordinal))!.AsObject();

    [Fact]
    public void Schema_1_0_becomes_1_1_with_the_default_store_and_forward_and_the_input_is_left_as_it_was()
    {
        var data = Manifest("1.0", "1.0", "");
        Assert.Null(DeploymentManifests.Validate(data));
        var before = data.ToJsonString();

        var normalized = DeploymentManifests.Normalized(data);

        Assert.Equal(before, data.ToJsonString());
        var content = normalized["modulesContent"]!;
        Assert.Equal("1.1", (string?)content["$edgeAgent"]!["properties.desired"]!["schemaVersion"]);
        Assert.Equal("1.1", (string?)content["$edgeHub"]!["properties.desired"]!["schemaVersion"]);
        Assert.Equal(DeploymentManifests.DefaultStoreAndForwardSeconds, (int?)content["$edgeHub"]!["properties.desired"]!["storeAndForwardConfiguration"]!["timeToLiveSecs"]);
        Assert.Equal("1.0", (string?)content["m1"]!["properties.desired"]!["schemaVersion"]); // a custom module's own settings are its own
        Assert.Null(DeploymentManifests.Validate(normalized));
    }

    [Fact]
    public void A_store_and_forward_given_is_kept_and_later_schema_versions_are_untouched()
    {
        var kept = DeploymentManifests.Normalized(Manifest("1.0", "1.0", """, "storeAndForwardConfiguration": {"timeToLiveSecs": 60}"""));
        Assert.Equal(60, (int?)kept["modulesContent"]!["$edgeHub"]!["properties.desired"]!["storeAndForwardConfiguration"]!["timeToLiveSecs"]);

        var later = Manifest("1.1", "1.2", """, "storeAndForwardConfiguration": {"timeToLiveSecs": 5}""");
        Assert.Equal(later.ToJsonString(), DeploymentManifests.Normalized(later).ToJsonString());
    }
}
