using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Twins;

/// <summary>Twin documents as JSON merge patches (RFC 7396), their validation against IoT Hub's limits, and their metadata.</summary>
public static class TwinDocuments
{
    /// <summary>Checks a patch's keys, values and depth. Returns null when valid, else why not (with the property path).</summary>
    public static string? Validate(JsonObject patch) => Validate(patch, "", 1);

    private static string? Validate(JsonObject node, string path, int depth)
    {
        if (depth > TwinLimits.MaxDepth)
        {
            return $"'{path}' nests deeper than {TwinLimits.MaxDepth} levels.";
        }

        foreach (var (key, value) in node)
        {
            var at = path.Length == 0 ? key : path + "." + key;
            if (key.Length == 0 || key.Contains('.') || key.Contains('$') || key.Contains(' ') || key.Any(char.IsControl))
            {
                return $"Property name '{at}' is not allowed: names must not be empty or contain '.', '$', spaces or control characters.";
            }

            if (Encoding.UTF8.GetByteCount(key) > TwinLimits.MaxKeyBytes)
            {
                return $"Property name '{at}' is longer than {TwinLimits.MaxKeyBytes} bytes.";
            }

            switch (value)
            {
                case null:
                    break;
                case JsonObject child:
                    if (Validate(child, at, depth + 1) is { } error)
                    {
                        return error;
                    }

                    break;
                case JsonArray array:
                    if (ValidateArray(array, at, depth + 1) is { } arrayError)
                    {
                        return arrayError;
                    }

                    break;
                case JsonValue leaf:
                    if (ValidateLeaf(leaf, at) is { } leafError)
                    {
                        return leafError;
                    }

                    break;
            }
        }

        return null;
    }

    private static string? ValidateArray(JsonArray array, string path, int depth)
    {
        if (depth > TwinLimits.MaxDepth)
        {
            return $"'{path}' nests deeper than {TwinLimits.MaxDepth} levels.";
        }

        foreach (var item in array)
        {
            var error = item switch
            {
                JsonObject child => Validate(child, path, depth + 1),
                JsonArray nested => ValidateArray(nested, path, depth + 1),
                JsonValue leaf => ValidateLeaf(leaf, path),
                _ => null,
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? ValidateLeaf(JsonValue leaf, string path)
    {
        switch (leaf.GetValueKind())
        {
            case JsonValueKind.String when Encoding.UTF8.GetByteCount(leaf.GetValue<string>()) > TwinLimits.MaxStringBytes:
                return $"The value of '{path}' is longer than {TwinLimits.MaxStringBytes} bytes.";
            case JsonValueKind.Number:
                var text = leaf.ToJsonString();
                if (!text.Contains('.') && !text.Contains('e') && !text.Contains('E')
                    && (!long.TryParse(text, out var integer) || integer > TwinLimits.MaxSafeInteger || integer < TwinLimits.MinSafeInteger))
                {
                    return $"The value of '{path}' is outside the safe integer range.";
                }

                break;
        }

        return null;
    }

    /// <summary>Applies a merge patch: objects merge, null deletes, everything else replaces.</summary>
    /// <summary>
    /// The RFC 7396 merge patch that turns <paramref name="current"/> into <paramref name="target"/>: target's values,
    /// objects present in both patched member by member, and <c>null</c> for what target no longer has.
    /// </summary>
    public static JsonObject ReplacementPatch(JsonObject current, JsonObject target)
    {
        var patch = new JsonObject();
        foreach (var (name, value) in target)
        {
            patch[name] = value is JsonObject inner && current[name] is JsonObject existing ? ReplacementPatch(existing, inner) : value?.DeepClone();
        }

        foreach (var (name, _) in current)
        {
            if (!target.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        return patch;
    }

    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>Updates per-property metadata for the properties a patch touched.</summary>
    public static void UpdateMetadata(JsonObject metadata, JsonObject patch, DateTimeOffset time, long? version)
    {
        var stamp = time.UtcDateTime.ToString("O");
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                metadata.Remove(key);
                continue;
            }

            if (value is JsonObject child)
            {
                if (metadata[key] is not JsonObject childMetadata)
                {
                    childMetadata = new JsonObject();
                    metadata[key] = childMetadata;
                }

                UpdateMetadata(childMetadata, child, time, version);
                Stamp(childMetadata, stamp, version);
            }
            else
            {
                var leaf = new JsonObject();
                Stamp(leaf, stamp, version);
                metadata[key] = leaf;
            }
        }
    }

    private static void Stamp(JsonObject node, string stamp, long? version)
    {
        node["$lastUpdated"] = stamp;
        if (version is not null)
        {
            node["$lastUpdatedVersion"] = version;
        }
    }

    /// <summary>IoT Hub's size rule: key lengths plus value sizes (strings by UTF-8 length, numbers 8, booleans 4).</summary>
    public static int Size(JsonNode? node) => node switch
    {
        null => 0,
        JsonObject obj => obj.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Size(p.Value)),
        JsonArray array => array.Sum(Size),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => Encoding.UTF8.GetByteCount(value.GetValue<string>()),
            JsonValueKind.Number => 8,
            JsonValueKind.True or JsonValueKind.False => 4,
            _ => 0,
        },
        _ => 0,
    };

    public static JsonObject Parse(string json) => JsonNode.Parse(json)?.AsObject() ?? [];
}
