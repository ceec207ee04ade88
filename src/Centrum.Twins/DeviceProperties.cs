using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Twins;

/// <summary>
/// IoT Central's view of a twin (<c>DeviceProperties</c>): property values with a <c>$metadata</c> entry each, and
/// components (objects marked <c>"__t":"c"</c>, IoT Plug and Play) as nested objects with their own <c>$metadata</c>.
/// A writable property's state follows the Plug and Play convention: the device's acknowledgement
/// <c>{"value","ac","av","ad"}</c> for the current desired version makes it accepted (2xx) or failed; until then it is
/// pending.
/// </summary>
public static class DeviceProperties
{
    public const string ComponentMarker = "__t";

    public static bool IsComponent(JsonNode? node) => node is JsonObject obj && obj[ComponentMarker] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "c";

    /// <summary>The view of the root (components nested) or of one component.</summary>
    public static JsonObject View(Twin twin, string? component)
    {
        if (component is null)
        {
            var root = View(twin.Reported, twin.ReportedMetadata, twin.Desired, twin.DesiredMetadata, nestComponents: true);
            AddCloud(root, twin);
            return root;
        }

        return View(
            twin.Reported[component] as JsonObject ?? [], twin.ReportedMetadata[component] as JsonObject ?? [],
            twin.Desired[component] as JsonObject ?? [], twin.DesiredMetadata[component] as JsonObject ?? [], nestComponents: false);
    }

    /// <summary>Cloud properties appear among the root's values, with their time.</summary>
    private static void AddCloud(JsonObject view, Twin twin)
    {
        if (twin.Cloud is not { Count: > 0 } cloud)
        {
            return;
        }

        var metadata = view["$metadata"] as JsonObject ?? new JsonObject();
        foreach (var (name, value) in cloud)
        {
            view[name] = value?.DeepClone();
            metadata[name] = new JsonObject { ["lastUpdateTime"] = (twin.CloudMetadata?[name] as JsonObject)?["$lastUpdated"]?.DeepClone() };
        }

        view.Remove("$metadata");
        view["$metadata"] = metadata;
    }

    private static JsonObject View(JsonObject reported, JsonObject reportedMetadata, JsonObject desired, JsonObject desiredMetadata, bool nestComponents)
    {
        var view = new JsonObject();
        var metadata = new JsonObject();
        foreach (var name in reported.Select(p => p.Key).Concat(desired.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal))
        {
            if (name == ComponentMarker)
            {
                continue;
            }

            var reportedValue = reported[name];
            var desiredValue = desired[name];
            if (nestComponents && (IsComponent(reportedValue) || IsComponent(desiredValue)))
            {
                view[name] = View(
                    reportedValue as JsonObject ?? [], reportedMetadata[name] as JsonObject ?? [],
                    desiredValue as JsonObject ?? [], desiredMetadata[name] as JsonObject ?? [], nestComponents: false);
                continue;
            }

            var entry = new JsonObject();
            if (reported.ContainsKey(name))
            {
                if (IsAcknowledgement(reportedValue, out var ack))
                {
                    view[name] = ack["value"]?.DeepClone();
                    entry["ackCode"] = ack["ac"]?.DeepClone();
                    entry["ackVersion"] = ack["av"]?.DeepClone();
                    if (ack["ad"] is { } description)
                    {
                        entry["ackDescription"] = description.DeepClone();
                    }
                }
                else
                {
                    view[name] = reportedValue?.DeepClone();
                }

                entry["lastUpdateTime"] = (reportedMetadata[name] as JsonObject)?["$lastUpdated"]?.DeepClone();
                entry["reportedVersion"] = (reportedMetadata[name] as JsonObject)?["$lastUpdatedVersion"]?.DeepClone();
            }

            if (desired.ContainsKey(name))
            {
                var desiredVersion = (desiredMetadata[name] as JsonObject)?["$lastUpdatedVersion"]?.GetValue<long>();
                entry["desiredValue"] = desiredValue?.DeepClone();
                entry["desiredVersion"] = desiredVersion;
                entry["state"] = State(entry, desiredVersion);
                entry["lastUpdateTime"] ??= (desiredMetadata[name] as JsonObject)?["$lastUpdated"]?.DeepClone();
            }

            metadata[name] = entry;
        }

        if (metadata.Count > 0)
        {
            view["$metadata"] = metadata;
        }

        return view;
    }

    private static string State(JsonObject entry, long? desiredVersion)
    {
        if (entry["ackCode"] is not JsonValue code || entry["ackVersion"] is not JsonValue version
            || !code.TryGetValue(out int ac) || !TryLong(version, out var av) || desiredVersion is null || av < desiredVersion)
        {
            return "pending";
        }

        return ac is >= 200 and < 300 ? "accepted" : "failed";
    }

    private static bool TryLong(JsonValue value, out long result)
    {
        if (value.TryGetValue(out result))
        {
            return true;
        }

        if (value.TryGetValue(out double d))
        {
            result = (long)d;
            return true;
        }

        return false;
    }

    /// <summary>A Plug and Play writable-property acknowledgement: an object with <c>value</c> and <c>ac</c>.</summary>
    public static bool IsAcknowledgement(JsonNode? node, out JsonObject ack)
    {
        ack = node as JsonObject ?? [];
        return node is JsonObject obj && obj.ContainsKey("value") && obj["ac"] is JsonValue;
    }

    /// <summary>
    /// Turns a REST write into a desired patch. At the root, an object value for a name the twin already knows as a
    /// component is a component write; <paramref name="replace"/> (PUT) also removes the writable values the body omits.
    /// </summary>
    /// <param name="components">The component names a template declares, when the device has one: then an object value for such
    /// a name is a component write even before the twin knows the component.</param>
    public static JsonObject DesiredPatch(JsonObject body, Twin twin, string? component, bool replace, IReadOnlySet<string>? components = null)
    {
        var scope = component is null ? twin.Desired : twin.Desired[component] as JsonObject ?? [];
        var patch = new JsonObject();
        foreach (var (name, value) in body)
        {
            if (name == "$metadata" || name == ComponentMarker)
            {
                continue;
            }

            if (component is null && value is JsonObject componentBody && (components?.Contains(name) == true || IsComponent(twin.Desired[name]) || IsComponent(twin.Reported[name])))
            {
                var nested = DesiredPatch(componentBody, twin, name, replace);
                patch[name] = nested[name]?.DeepClone();
                continue;
            }

            patch[name] = value?.DeepClone();
        }

        if (replace)
        {
            foreach (var (name, value) in scope)
            {
                if (name != ComponentMarker && !body.ContainsKey(name) && !(component is null && IsComponent(value)))
                {
                    patch[name] = null;
                }
            }
        }

        if (component is null)
        {
            return patch;
        }

        patch[ComponentMarker] = "c";
        return new JsonObject { [component] = patch };
    }

    /// <summary>The 202 answer to a property write: the desired values, in IoT Central's <c>$metadata</c> form.</summary>
    public static JsonObject Accepted(JsonObject patch, string? component)
    {
        var scope = component is null ? patch : patch[component] as JsonObject ?? [];
        var view = new JsonObject();
        var metadata = new JsonObject();
        foreach (var (name, value) in scope)
        {
            if (name == ComponentMarker)
            {
                continue;
            }

            if (component is null && IsComponent(value))
            {
                view[name] = Accepted(new JsonObject { [name] = value!.DeepClone() }, name);
                continue;
            }

            metadata[name] = new JsonObject { ["desiredValue"] = value?.DeepClone() };
        }

        // A write of components only answers their views with no root $metadata (IoT Central REST API 2022-07-31,
        // Devices_UpdateProperties example).
        if (metadata.Count > 0)
        {
            view["$metadata"] = metadata;
        }

        return view;
    }
}
