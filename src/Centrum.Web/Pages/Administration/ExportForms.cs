using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Export;

namespace Centrum.Web.Pages.Administration;

/// <summary>
/// What the export and destination forms share: an export's writable members as the service takes them (the same
/// body REST's PUT carries), and the JSON a person types into a form, read with the limits REST's bodies have.
/// </summary>
internal static class ExportForms
{
    /// <summary>
    /// The most a JSON field of the forms may hold. A destination's settings or an export's enrichments are a few
    /// hundred bytes; REST takes whole bodies up to 1 MiB, and one field of a form needs no more than a tenth of that.
    /// </summary>
    public const int MaxJsonChars = 100 * 1024;

    /// <summary>The nesting REST's bodies may have (the API's JSON body limit): deeper input is refused, not parsed.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>A starting point for each destination type's settings: members as IoT Central's Destination schemas name them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Examples = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["webhook@v1"] = """
            {
              "url": "https://receiver.example.com/centrum",
              "headerCustomizations": { "x-api-key": { "value": "", "secret": true } },
              "authorization": { "type": "header", "value": "" }
            }
            """,
        ["blobstorage@v1"] = """
            {
              "authorization": { "type": "connectionString", "connectionString": "", "containerName": "centrum" },
              "format": "json"
            }
            """,
        ["nats@v1"] = """
            {
              "url": "nats://nats.example.com:4222",
              "authorization": { "type": "token", "token": "" }
            }
            """,
    };

    /// <summary>An export's writable members, as REST's PUT carries them.</summary>
    public static JsonObject Body(ExportDefinition export, bool? enabled = null)
    {
        ArgumentNullException.ThrowIfNull(export);
        var body = new JsonObject
        {
            ["displayName"] = export.DisplayName,
            ["enabled"] = enabled ?? export.Enabled,
            ["source"] = export.Source,
        };
        if (export.Filter is not null)
        {
            body["filter"] = export.Filter;
        }

        if (export.Enrichments is not null)
        {
            body["enrichments"] = export.Enrichments.DeepClone();
        }

        body["destinations"] = new JsonArray(export.Destinations.Select(d => (JsonNode)(d.Transform is null
            ? new JsonObject { ["id"] = d.Id }
            : new JsonObject { ["id"] = d.Id, ["transform"] = d.Transform })).ToArray());
        body["start"] = export.Start;
        return body;
    }

    /// <summary>Reads a form's JSON object field; an error names <paramref name="field"/> and what is wrong.</summary>
    public static (JsonObject? Value, string? Error) ReadObject(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        if (text.Length > MaxJsonChars)
        {
            return (null, $"{field}: at most {MaxJsonChars} characters.");
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth }) is JsonObject value
                ? (value, null)
                : (null, $"{field}: must be a JSON object.");
        }
        catch (JsonException ex)
        {
            return (null, $"{field}: not valid JSON ({ex.Message})");
        }
    }

    public static string Show(JsonNode node) => node.ToJsonString(Indented);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
