using System.Text.Json.Nodes;

namespace Centrum.Twins;

/// <summary>A twin as stored: both documents with their versions and metadata.</summary>
public sealed record Twin(
    JsonObject Desired, long DesiredVersion, JsonObject DesiredMetadata, JsonObject Reported, long ReportedVersion, JsonObject ReportedMetadata,
    JsonObject? Cloud = null, JsonObject? CloudMetadata = null)
{
    /// <summary>The body of a twin GET over MQTT: properties and versions, no metadata (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Retrieving a device twin's properties").</summary>
    public JsonObject ToDeviceDocument()
    {
        var desired = (JsonObject)Desired.DeepClone();
        desired["$version"] = DesiredVersion;
        var reported = (JsonObject)Reported.DeepClone();
        reported["$version"] = ReportedVersion;
        return new JsonObject { ["desired"] = desired, ["reported"] = reported };
    }
}
