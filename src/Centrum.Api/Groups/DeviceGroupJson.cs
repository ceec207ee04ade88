using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
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
        if (!StrictJson.TryObject(body, out var obj, out error))
        {
            return false;
        }

        foreach (var (name, value) in obj)
        {
            var read = name switch
            {
                "id" => StrictJson.TryId(value, groupId, "device group", out error),
                "etag" => StrictJson.TryString(name, value, out etag, out error),
                "displayName" => StrictJson.TryString(name, value, out var text, out error) && StrictJson.Set(ref write, write with { DisplayName = text }),
                "filter" => StrictJson.TryString(name, value, out var text, out error) && StrictJson.Set(ref write, write with { Filter = text }),
                "description" => StrictJson.TryString(name, value, out var text, out error) && StrictJson.Set(ref write, write with { Description = text }),
                "organizations" => StrictJson.TryOrganizations(value, out var organizations, out error) && StrictJson.Set(ref write, write with { Organizations = organizations }),
                _ => StrictJson.Fail(StrictJson.Unknown(name, "device group"), out error),
            };
            if (!read)
            {
                return false;
            }
        }

        return true;
    }
}
