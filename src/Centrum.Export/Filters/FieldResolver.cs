using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Filters;

/// <summary>
/// Finds a field's value in a message and its device's facts; see <see cref="ExportFilter"/> for the rules. Every
/// lookup tolerates a message or device of the wrong shape: what is missing or mistyped is undefined.
/// </summary>
internal static class FieldResolver
{
    public static FilterValue Resolve(FieldOperand field, FilterSubject subject)
    {
        if (field.AliasTemplateId is { } aliased && TemplateOf(subject) != aliased)
        {
            return FilterValue.Undefined;
        }

        var path = field.Path;
        if (path[0].StartsWith('$'))
        {
            return Fact(path[0], subject);
        }

        // Component first (thermostat1.temperature); when that finds nothing, the same text as a path into an object
        // value (location.lat). Only the template could say which was meant, and the filter is evaluated without it.
        if (path.Count > 1 && InComponent(path[0], path[1], subject, out var node) && Descend(ref node, path, 2))
        {
            return FilterValue.Of(node);
        }

        return Bare(path[0], subject, out node) && Descend(ref node, path, 1) ? FilterValue.Of(node) : FilterValue.Undefined;
    }

    /// <summary>The template a device uses: its <c>$template</c> fact, or the message's when the facts lack one.</summary>
    public static string? TemplateOf(FilterSubject subject) =>
        subject.Device.TryGetPropertyValue("$template", out var template) ? TextOf(template) : TextOf(subject.Message["templateId"]);

    private static FilterValue Fact(string name, FilterSubject subject)
    {
        name = name == "$templateId" ? "$template" : name;
        if (subject.Device.TryGetPropertyValue(name, out var node))
        {
            return FilterValue.Of(node);
        }

        var fallback = name switch
        {
            "$id" => "deviceId",
            "$template" => "templateId",
            _ => null,
        };
        return fallback is not null && subject.Message.TryGetPropertyValue(fallback, out node) ? FilterValue.Of(node) : FilterValue.Undefined;
    }

    /// <summary>
    /// A root capability: telemetry of a message sent outside any component, a reported root property in a property
    /// message, or the device's root property.
    /// </summary>
    private static bool Bare(string name, FilterSubject subject, out JsonNode? node)
    {
        if (TextOf(subject.Message["component"]) is null or "" && subject.Message["telemetry"] is JsonObject telemetry && telemetry.TryGetPropertyValue(name, out node))
        {
            return true;
        }

        return FromPropertyMessage(name, null, subject, out node)
            || (subject.Device["properties"] is JsonObject properties && properties.TryGetPropertyValue(name, out node));
    }

    private static bool InComponent(string component, string name, FilterSubject subject, out JsonNode? node)
    {
        if (TextOf(subject.Message["component"]) == component && subject.Message["telemetry"] is JsonObject telemetry && telemetry.TryGetPropertyValue(name, out node))
        {
            return true;
        }

        return FromPropertyMessage(name, component, subject, out node)
            || (subject.Device["properties"] is JsonObject properties && properties[component] is JsonObject values && values.TryGetPropertyValue(name, out node));
    }

    private static bool FromPropertyMessage(string name, string? component, FilterSubject subject, out JsonNode? node)
    {
        if (subject.Message["properties"] is JsonArray entries)
        {
            foreach (var entry in entries)
            {
                if (entry is JsonObject property && TextOf(property["name"]) == name
                    && (TextOf(property["component"]) is var own && (component is null ? own is null or "" : own == component))
                    && property.TryGetPropertyValue("value", out node))
                {
                    return true;
                }
            }
        }

        node = null;
        return false;
    }

    private static bool Descend(ref JsonNode? node, IReadOnlyList<string> path, int from)
    {
        for (var i = from; i < path.Count; i++)
        {
            if (node is not JsonObject value || !value.TryGetPropertyValue(path[i], out node))
            {
                return false;
            }
        }

        return true;
    }

    private static string? TextOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.ToString() : null;
}
