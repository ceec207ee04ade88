using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
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
        if (!StrictJson.TryObject(body, out var obj, out error))
        {
            return false;
        }

        foreach (var (name, value) in obj)
        {
            var read = name switch
            {
                "id" => StrictJson.TryId(value, dashboardId, "dashboard", out error),
                "etag" => StrictJson.TryString(name, value, out etag, out error),
                "displayName" => StrictJson.TryString(name, value, out var text, out error) && StrictJson.Set(ref write, write with { DisplayName = text }),
                "personal" => TryFlag(name, value, out var flag, out error) && StrictJson.Set(ref write, write with { Personal = flag }),
                "favorite" => TryFlag(name, value, out var flag, out error) && StrictJson.Set(ref write, write with { Favorite = flag }),
                "tiles" => TryTiles(value, out var tiles, out error) && StrictJson.Set(ref write, write with { Tiles = tiles }),
                "organizations" => StrictJson.TryOrganizations(value, out var organizations, out error) && StrictJson.Set(ref write, write with { Organizations = organizations }),
                _ => StrictJson.Fail(StrictJson.Unknown(name, "dashboard"), out error),
            };
            if (!read)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>true or false; null reads as false.</summary>
    private static bool TryFlag(string name, JsonNode? value, out bool flag, out string? error)
    {
        flag = value?.GetValueKind() == JsonValueKind.True;
        var valid = value is null || value.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
        error = valid ? null : $"Field '{name}' must be true or false.";
        return valid;
    }

    private static bool TryTiles(JsonNode? value, out IReadOnlyList<Tile> tiles, out string? error)
    {
        try
        {
            tiles = value is null ? [] : TileJson.Read(value);
            error = null;
            return true;
        }
        catch (DashboardFormatException ex)
        {
            tiles = [];
            error = ex.Message;
            return false;
        }
    }
}
