using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// The strict reading IoT Central's resource bodies share (device groups, dashboards): a JSON object, an <c>id</c>
/// that must match the path, strings that must be strings, <c>organizations</c> as an array of ids, and unknown members
/// refused by name. Each helper answers false with the message a 400 carries, naming the field.
/// </summary>
internal static class StrictJson
{
    /// <summary>An unknown member's name is echoed in the message up to this length: a body may name a member of any size.</summary>
    public const int MaxEchoedNameLength = 64;

    public static bool TryObject(JsonNode? body, [NotNullWhen(true)] out JsonObject? obj, out string? error)
    {
        obj = body as JsonObject;
        error = obj is null ? "The request body must be a JSON object." : null;
        return obj is not null;
    }

    /// <summary>An <c>id</c> in the body is optional; when present it is the path's.</summary>
    public static bool TryId(JsonNode? value, string pathId, string resource, out string? error)
    {
        error = value is null || (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == pathId)
            ? null
            : $"Field 'id' must match the {resource} id in the path.";
        return error is null;
    }

    /// <summary>A string member; null reads as absent (<paramref name="text"/> null).</summary>
    public static bool TryString(string name, JsonNode? value, out string? text, out string? error)
    {
        text = value is not null && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        error = value is not null && text is null ? $"Field '{name}' must be a string." : null;
        return error is null;
    }

    /// <summary><c>organizations</c>: an array of organization ids; null empties it (a merge patch removes it).</summary>
    public static bool TryOrganizations(JsonNode? value, out IReadOnlyList<string> organizations, out string? error)
    {
        organizations = [];
        error = null;
        if (value is null)
        {
            return true;
        }

        if (value is not JsonArray array || array.Any(o => o is null || o.GetValueKind() != JsonValueKind.String))
        {
            error = "Field 'organizations' must be an array of organization ids.";
            return false;
        }

        organizations = array.Select(o => o!.GetValue<string>()).ToList();
        return true;
    }

    public static string Unknown(string name, string resource) =>
        $"Unknown field '{(name.Length <= MaxEchoedNameLength ? name : name[..MaxEchoedNameLength] + "…")}' in the {resource} body.";

    /// <summary>Refuses with <paramref name="message"/>: for a reader's switch arm.</summary>
    public static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    /// <summary>Takes a value read into the write: for a reader's switch arm after the value's check, <c>&amp;&amp;</c>-chained.</summary>
    public static bool Set<T>(ref T target, T value)
    {
        target = value;
        return true;
    }
}
