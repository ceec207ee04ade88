using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Dashboards;

namespace Centrum.Api.Dashboards;

/// <summary>
/// IoT Central's <c>Dashboard</c> body (REST API 2022-10-31-preview), read strictly: unknown fields and wrong types are
/// refused with the field's name, tiles with their path (<see cref="TileJson"/>).
/// </summary>
internal static class DashboardJson
{
    public static JsonObject ToResponse(Dashboard dashboard)
    {
        var response = new JsonObject
        {
            ["id"] = dashboard.Id,
            ["displayName"] = dashboard.DisplayName,
            ["personal"] = dashboard.Personal,
            ["tiles"] = TileJson.ToJson(dashboard.Tiles),
            ["favorite"] = dashboard.Favorite,
        };
        if (dashboard.Organizations.Count > 0)
        {
            response["organizations"] = new JsonArray(dashboard.Organizations.Select(o => (JsonNode)JsonValue.Create(o)).ToArray());
        }

        response["etag"] = dashboard.ETag;
        return response;
    }

    /// <summary>
    /// Reads a PUT body (a whole dashboard: absent fields are empty) or a PATCH body (an RFC 7396 merge patch over
    /// <paramref name="current"/>: an array replaces the whole array, null empties tiles or organizations).
    /// <c>personal</c> is read-only in IoT Central's schema; Centrum reads it on a create so a personal dashboard can be
    /// made through REST, and the service refuses a change of it. <paramref name="etag"/> is the body's <c>etag</c>,
    /// IoT Central's precondition when no <c>If-Match</c> header is sent.
    /// </summary>
    public static bool TryRead(JsonNode? body, string dashboardId, DashboardWrite current, out DashboardWrite write, out string? etag, out string? error)
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
                    if (value is not null && (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != dashboardId))
                    {
                        error = "Field 'id' must match the dashboard id in the path.";
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
                    string? text = null;
                    if (value is not null && !TryString(value, out text))
                    {
                        error = "Field 'displayName' must be a string.";
                        return false;
                    }

                    write = write with { DisplayName = text };
                    break;
                case "personal":
                case "favorite":
                    var flag = value?.GetValueKind() switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False or null => false,
                        _ => (bool?)null,
                    };
                    if (flag is null)
                    {
                        error = $"Field '{name}' must be true or false.";
                        return false;
                    }

                    write = name == "personal" ? write with { Personal = flag.Value } : write with { Favorite = flag.Value };
                    break;
                case "tiles":
                    try
                    {
                        write = write with { Tiles = value is null ? [] : TileJson.Read(value) };
                    }
                    catch (DashboardFormatException ex)
                    {
                        error = ex.Message;
                        return false;
                    }

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
                    error = $"Unknown field '{(name.Length <= 64 ? name : name[..64] + "…")}' in the dashboard body.";
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
