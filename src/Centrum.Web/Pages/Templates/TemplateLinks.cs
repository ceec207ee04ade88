using System.Globalization;
using System.Text;
using Centrum.Templates;
using Centrum.Templates.Dtdl;

namespace Centrum.Web.Pages.Templates;

/// <summary>How the template pages name, link and describe a template and its schemas.</summary>
public static class TemplateLinks
{
    /// <summary>
    /// Steps into a schema described in full: DTDL v2 allows complex schemas five deep ("Schemas", limits of the language
    /// description), and each step may pass through a named schema's reference, so twice that. Deeper, which the
    /// parser refuses, is shown as an ellipsis rather than followed.
    /// </summary>
    private const int MaxSchemaDepth = 10;

    /// <summary>A template's page; a template id is a DTMI, whose ':' and ';' are escaped in the path.</summary>
    public static string Page(string templateId) => "templates/" + Uri.EscapeDataString(templateId);

    /// <summary>A device's page.</summary>
    public static string Device(string deviceId) => "devices/" + Uri.EscapeDataString(deviceId);

    public static string Name(DeviceTemplate template) => template.DisplayName ?? template.Model.DisplayName?.Default ?? template.Id;

    /// <summary>The version a DTMI carries after its ';' (DTDL v2 "Digital Twin Model Identifier": <c>dtmi:path;version</c>), or null.</summary>
    public static string? Version(string dtmi)
    {
        var at = dtmi.LastIndexOf(';');
        return at > 0 && at < dtmi.Length - 1 && dtmi[(at + 1)..].All(char.IsAsciiDigit) ? dtmi[(at + 1)..] : null;
    }

    /// <summary>A schema as a person reads it: <c>double</c>, <c>Object { value: double, at: dateTime }</c>, <c>Enum of string (on, off)</c>, ...</summary>
    public static string Describe(DtdlSchema? schema)
    {
        var text = new StringBuilder();
        Describe(schema, text, 0);
        return text.ToString();
    }

    private static void Describe(DtdlSchema? schema, StringBuilder text, int depth)
    {
        if (depth > MaxSchemaDepth)
        {
            text.Append('…');
            return;
        }

        switch (schema)
        {
            case null:
                text.Append('?');
                break;
            case DtdlSchemaReference reference:
                if (reference.Target is { } target)
                {
                    Describe(target, text, depth + 1);
                }
                else
                {
                    text.Append(reference.Reference);
                }

                break;
            case DtdlPrimitiveSchema primitive:
                text.Append(primitive.Name);
                break;
            case DtdlEnumSchema enumeration:
                text.Append("Enum of ").Append(enumeration.ValueSchema).Append(" (")
                    .AppendJoin(", ", enumeration.Values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Name} = {v.Value.ToJsonString()}")))
                    .Append(')');
                break;
            case DtdlObjectSchema obj:
                text.Append("Object { ");
                for (var i = 0; i < obj.Fields.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ").Append(obj.Fields[i].Name).Append(": ");
                    Describe(obj.Fields[i].Schema, text, depth + 1);
                }

                text.Append(" }");
                break;
            case DtdlMapSchema map:
                text.Append("Map<").Append(map.KeyName).Append(": string, ").Append(map.ValueName).Append(": ");
                Describe(map.ValueSchema, text, depth + 1);
                text.Append('>');
                break;
            case DtdlArraySchema array:
                text.Append("Array of ");
                Describe(array.ElementSchema, text, depth + 1);
                break;
            default:
                text.Append(schema.GetType().Name);
                break;
        }
    }
}
