using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Outcomes;

namespace Centrum.Templates;

/// <summary>
/// What a person imports as a template: a DTDL Interface, an array of Interfaces (the device's first), or IoT Central's
/// DeviceTemplate document (<c>@id</c>, <c>displayName</c>, <c>capabilityModel</c>, ...) as the REST API answers it,
/// so an exported template imports again. <see cref="TemplateId"/> is the template id the document suggests: its
/// <c>@id</c> for a DeviceTemplate, the device Interface's <c>@id</c> otherwise (IoT Central names a template imported
/// from a model after the model).
/// </summary>
public sealed record TemplateImportDocument(string? TemplateId, string? DisplayName, string? Description, JsonArray Types, JsonNode CapabilityModel);

/// <summary>
/// Reads an imported template's text with the limits REST's bodies have, and says where malformed JSON broke (line and
/// position, 1-based, as an editor shows them), so the person can find and fix it. The model's DTDL rules are
/// <see cref="DeviceTemplateService.SaveAsync"/>'s to check, as for REST's PUT.
/// </summary>
public static class TemplateImport
{
    /// <summary>The largest document accepted: REST's body limit (1 MiB), so a template that imports here also saves through REST.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Deepest nesting accepted: REST's body limit (64); DTDL itself nests complex schemas at most five deep.</summary>
    public const int MaxDepth = 64;

    /// <summary>The DeviceTemplate fields REST's PUT accepts; anything else is refused as it is there.</summary>
    private static readonly HashSet<string> TemplateFields = new(StringComparer.Ordinal) { "@id", "@type", "etag", "displayName", "description", "capabilityModel", "@context" };

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static Outcome<TemplateImportDocument> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Every character is at least one byte of UTF-8: a longer text is too large before it is encoded.
        return text.Length > MaxBytes ? TooLarge() : Read(Encoding.UTF8.GetBytes(text));
    }

    public static Outcome<TemplateImportDocument> Read(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            return TooLarge();
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: Options);
        }
        catch (JsonException ex)
        {
            return Malformed(ex);
        }

        return node switch
        {
            JsonObject obj when obj.ContainsKey("capabilityModel") => FromTemplate(obj),
            JsonObject or JsonArray => new TemplateImportDocument(RootId(node), null, null, DefaultTypes(), node),
            _ => Problem.Invalid("The document must be a DTDL Interface, an array of Interfaces (the device's first), or a device template with a capabilityModel."),
        };
    }

    private static Outcome<TemplateImportDocument> FromTemplate(JsonObject template)
    {
        if (template.Select(p => p.Key).FirstOrDefault(name => !TemplateFields.Contains(name)) is { } unknown)
        {
            return Problem.Invalid($"Unknown field '{unknown}' in the device template.");
        }

        var types = template["@type"] switch
        {
            null => DefaultTypes(),
            JsonArray array when array.All(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String) => (JsonArray)array.DeepClone(),
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            _ => null,
        };
        if (types is null)
        {
            return Problem.Invalid("Field '@type' must be an array of strings such as [\"ModelDefinition\",\"DeviceModel\"].");
        }

        var model = template["capabilityModel"];
        if (model is not (JsonObject or JsonArray))
        {
            return Problem.Invalid("Field 'capabilityModel' must be a DTDL Interface, or an array of Interfaces with the device's first.");
        }

        return new TemplateImportDocument(Text(template["@id"]) ?? RootId(model), Text(template["displayName"]), Text(template["description"]), types, model.DeepClone());
    }

    /// <summary>IoT Central's types of a device template, as REST's PUT assumes when the body names none.</summary>
    private static JsonArray DefaultTypes() => ["ModelDefinition", "DeviceModel"];

    /// <summary>The device Interface's <c>@id</c>: the document's, or its first element's; null when that is no object.</summary>
    private static string? RootId(JsonNode node) => (node is JsonArray array ? array.FirstOrDefault() : node) is JsonObject root ? Text(root["@id"]) : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static Problem TooLarge() => Problem.TooLarge($"The template is larger than {MaxBytes} bytes, the most a device template may be.");

    /// <summary>
    /// System.Text.Json counts lines and bytes from 0 (<see cref="JsonException.LineNumber"/>,
    /// <see cref="JsonException.BytePositionInLine"/>); people count from 1. The reader's message repeats them 0-based
    /// after "LineNumber:", so only its first part, the reason, is kept.
    /// </summary>
    private static Problem Malformed(JsonException ex)
    {
        var line = (ex.LineNumber ?? 0) + 1;
        var position = (ex.BytePositionInLine ?? 0) + 1;
        var reason = ex.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: ", " | " })
        {
            var at = reason.IndexOf(marker, StringComparison.Ordinal);
            if (at > 0)
            {
                reason = reason[..at];
            }
        }

        var where = $"line {line}, position {position}";
        return new Problem(ProblemKind.Invalid, "BadRequest", $"The JSON is malformed at {where}: {reason.Trim()}")
        {
            Details = [new ProblemDetail(where, reason.Trim())],
        };
    }
}
