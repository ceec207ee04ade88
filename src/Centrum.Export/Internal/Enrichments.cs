using System.Text.Json.Nodes;
using Centrum.Twins;

namespace Centrum.Export.Internal;

/// <summary>
/// IoT Central's export enrichments: static values, system properties of the device, and device properties named by
/// the interface that declares them. A device property the device never reported is left out, as IoT Central does; a
/// system property the device lacks is null.
/// </summary>
internal static class Enrichments
{
    /// <summary>Whether any enrichment reads a device property (<c>target</c> and <c>path</c>), which needs the device's twin.</summary>
    public static bool ReadProperties(JsonObject? enrichments) =>
        enrichments?.Any(e => e.Value is JsonObject enrichment && !enrichment.ContainsKey("value") && enrichment.ContainsKey("target")) == true;

    public static JsonObject Apply(JsonObject enrichments, DeviceFacts facts, string deviceId)
    {
        var result = new JsonObject();
        foreach (var (name, node) in enrichments)
        {
            var enrichment = (JsonObject)node!;
            if (enrichment.TryGetPropertyValue("value", out var value))
            {
                result[name] = value?.DeepClone();
            }
            else if (enrichment["target"] is JsonValue target)
            {
                if (DeviceProperty(facts, (string)target!, (string)enrichment["path"]!) is { } property)
                {
                    result[name] = property;
                }
            }
            else
            {
                result[name] = SystemProperty(facts, deviceId, (string)enrichment["path"]!);
            }
        }

        return result;
    }

    private static JsonNode? SystemProperty(DeviceFacts facts, string deviceId, string path) => path switch
    {
        "$id" => deviceId,
        "$displayName" => facts.Device?.DisplayName,
        "$templateId" => facts.Device?.Template,
        "$templateDisplayName" => facts.Template?.DisplayName,
        "$enabled" => facts.Device?.Enabled,
        "$provisioned" => facts.Device?.Provisioned,
        "$simulated" => facts.Device?.Simulated,
        "$organizations" => facts.Device is null ? null : new JsonArray(facts.Device.Organizations.Select(o => (JsonNode?)o).ToArray()),
        _ => null,
    };

    /// <summary>The property <paramref name="name"/> of the interface <paramref name="target"/>: the template's root interface or one of its components'.</summary>
    private static JsonNode? DeviceProperty(DeviceFacts facts, string target, string name)
    {
        var properties = facts.Properties();
        var model = facts.Template?.Model;
        if (model is null || model.Id == target)
        {
            return Value(properties[name]);
        }

        var component = model.Components.FirstOrDefault(c => c.SchemaId == target);
        return component is null ? null : Value(properties[component.Name]?[name]);
    }

    /// <summary>A writable property's reported value is an acknowledgement <c>{value, ac, av}</c> (IoT Plug and Play); its value is what is exported.</summary>
    private static JsonNode? Value(JsonNode? reported) =>
        (DeviceProperties.IsAcknowledgement(reported, out var ack) ? ack["value"] : reported)?.DeepClone();
}
