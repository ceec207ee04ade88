using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Groups;

namespace Centrum.Api.Groups;

/// <summary>IoT Central's <c>DeviceGroup</c> body, read strictly: unknown fields and wrong types are refused with the field's name.</summary>
internal static class DeviceGroupJson
{
    public static object ToResponse(DeviceGroup group) => new
    {
        id = group.Id,
        displayName = group.DisplayName,
        description = group.Description,
        filter = group.Filter,
        organizations = group.Organizations.Count > 0 ? group.Organizations : null,
        etag = group.ETag,
    };

    /// <summary>
    /// Reads a PUT body (a whole group: absent fields are empty) or a PATCH body (an RFC 7396 merge patch over
    /// <paramref name="current"/>: null removes the description or the organizations). <paramref name="etag"/> is the
    /// body's <c>etag</c>, IoT Central's precondition when no <c>If-Match</c> header is sent.
    /// </summary>
    public static bool TryRead(JsonNode? body, string groupId, DeviceGroupWrite current, out DeviceGroupWrite write, out string? etag, out string? error)
    {
        write = current;
        etag = null;
        error = null;
        if (body is not JsonObject obj)
        {
            error = "The request body must be a JSON object.";
            return false;
        }

        foreach (var (name, value) in obj)
        {
            switch (name)
            {
                case "id":
                    if (value is not null && (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != groupId))
                    {
                        error = "Field 'id' must match the device group id in the path.";
                        return false;
                    }

                    break;
                case "etag":
                    if (value is not null && !TryString(value, out etag))
                    {
                        error = "Field 'etag' must be a string.";
                        return false;
                    }

                    break;
                case "displayName":
                case "filter":
                case "description":
                    string? text = null;
                    if (value is not null && !TryString(value, out text))
                    {
                        error = $"Field '{name}' must be a string.";
                        return false;
                    }

                    write = name switch
                    {
                        "displayName" => write with { DisplayName = text },
                        "filter" => write with { Filter = text },
                        _ => write with { Description = text },
                    };
                    break;
                case "organizations":
                    if (value is null)
                    {
                        write = write with { Organizations = [] };
                        break;
                    }

                    if (value is not JsonArray array || array.Any(o => o is null || o.GetValueKind() != JsonValueKind.String))
                    {
                        error = "Field 'organizations' must be an array of organization ids.";
                        return false;
                    }

                    write = write with { Organizations = array.Select(o => o!.GetValue<string>()).ToList() };
                    break;
                default:
                    error = $"Unknown field '{name}' in the device group body.";
                    return false;
            }
        }

        return true;
    }

    private static bool TryString(JsonNode node, out string? text)
    {
        text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
        return text is not null;
    }
}
