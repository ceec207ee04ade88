using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Views;

/// <summary>How a value of one DTDL schema is entered in a generated form.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members are named after DTDL's schemas (integer, long, double, float, string, Object), which a form mirrors.")]
public enum FormFieldKind
{
    Boolean,
    Integer,
    Long,
    Double,
    Float,
    String,
    Date,
    DateTime,
    Time,
    Duration,
    Enum,

    /// <summary>IoT Central's <c>geopoint</c>: latitude and longitude, optionally altitude.</summary>
    Geopoint,

    /// <summary>IoT Central's <c>vector</c>: x, y and z.</summary>
    Vector,

    /// <summary>A DTDL Object: one field form per declared field.</summary>
    Object,

    /// <summary>
    /// A schema entered as JSON text and checked against the schema: Arrays and Maps (their length and keys are the
    /// user's), and the GeoJSON shapes of DTDL v2's geospatial schemas.
    /// </summary>
    Json,
}

/// <summary>One choice of an enum field: its name, what a person reads, and the value sent.</summary>
public sealed record FormOption(string Name, string DisplayName, JsonValue Value);

/// <summary>
/// The form of a DTDL schema, as IoT Central's default views generate one (a field per primitive, a group per object,
/// a choice per enum), and the conversion of what a person typed into the JSON value the schema declares. The schema
/// stays the judge: every value built here is checked with <see cref="DeviceModels.Conforms"/> before it is returned.
/// </summary>
public sealed class FormField
{
    /// <summary>
    /// Nesting of object fields a form follows. DTDL v2 limits complex schemas to a depth of five ("Schemas", limits of
    /// the language description); the parser enforces it, this guards a form built from anything else.
    /// </summary>
    internal const int MaxDepth = 8;

    /// <summary>The largest JSON text a person may enter in a JSON field: IoT Hub's 32 KB limit on a desired property value set.</summary>
    public const int MaxJsonChars = 32 * 1024;

    private FormField(string name, string displayName, FormFieldKind kind, DtdlSchema schema)
    {
        Name = name;
        DisplayName = displayName;
        Kind = kind;
        Schema = schema;
    }

    public string Name { get; }

    public string DisplayName { get; }

    public FormFieldKind Kind { get; }

    /// <summary>The declared schema, references resolved.</summary>
    public DtdlSchema Schema { get; }

    /// <summary>The choices of an enum field.</summary>
    public IReadOnlyList<FormOption> Options { get; private init; } = [];

    /// <summary>The fields of an object, a geopoint or a vector.</summary>
    public IReadOnlyList<FormField> Fields { get; private init; } = [];

    /// <summary>Whether a value of this field can be drawn on a line chart.</summary>
    public bool IsNumeric => Kind is FormFieldKind.Integer or FormFieldKind.Long or FormFieldKind.Double or FormFieldKind.Float;

    /// <summary>The form of <paramref name="schema"/>, named <paramref name="name"/>.</summary>
    public static FormField For(string name, string? displayName, DtdlSchema schema) => Build(name, displayName ?? name, schema, 0);

    private static FormField Build(string name, string displayName, DtdlSchema schema, int depth)
    {
        if (depth > MaxDepth)
        {
            return new FormField(name, displayName, FormFieldKind.Json, schema);
        }

        switch (schema)
        {
            case DtdlSchemaReference { Target: { } target }:
                return Build(name, displayName, target, depth + 1);
            case DtdlPrimitiveSchema primitive:
                return Primitive(name, displayName, primitive);
            case DtdlEnumSchema enumeration:
                return new FormField(name, displayName, FormFieldKind.Enum, schema)
                {
                    Options = [.. enumeration.Values.Select(v => new FormOption(v.Name, v.DisplayName?.Default ?? v.Name, v.Value))],
                };
            case DtdlObjectSchema obj:
                return new FormField(name, displayName, FormFieldKind.Object, schema)
                {
                    Fields = [.. obj.Fields.Select(f => Build(f.Name, f.Name, f.Schema, depth + 1))],
                };
            default:
                return new FormField(name, displayName, FormFieldKind.Json, schema);
        }
    }

    private static FormField Primitive(string name, string displayName, DtdlPrimitiveSchema schema)
    {
        var kind = schema.Name switch
        {
            "boolean" => FormFieldKind.Boolean,
            "integer" => FormFieldKind.Integer,
            "long" => FormFieldKind.Long,
            "double" => FormFieldKind.Double,
            "float" => FormFieldKind.Float,
            "string" => FormFieldKind.String,
            "date" => FormFieldKind.Date,
            "dateTime" => FormFieldKind.DateTime,
            "time" => FormFieldKind.Time,
            "duration" => FormFieldKind.Duration,
            "geopoint" => FormFieldKind.Geopoint,
            "vector" => FormFieldKind.Vector,
            _ => FormFieldKind.Json,
        };
        IReadOnlyList<FormField> fields = kind switch
        {
            FormFieldKind.Geopoint => [Coordinate("lat", "Latitude"), Coordinate("lon", "Longitude"), Coordinate("alt", "Altitude")],
            FormFieldKind.Vector => [Coordinate("x", "x"), Coordinate("y", "y"), Coordinate("z", "z")],
            _ => [],
        };
        return new FormField(name, displayName, kind, schema) { Fields = fields };
    }

    private static FormField Coordinate(string name, string displayName) =>
        new(name, displayName, FormFieldKind.Double, new DtdlPrimitiveSchema { Name = "double", Path = name });

    /// <summary>An empty input tree for this form, to be filled by a person (or from a current value with <see cref="FormInput.Fill"/>).</summary>
    public FormInput NewInput() => new(this);

    /// <summary>
    /// The JSON value of one typed text of a leaf field (not an object, geopoint or vector): blank is no value (null,
    /// except for a string, where empty is a value). A text that does not parse, or whose value the schema refuses,
    /// gives the refusal naming the field and what was expected.
    /// </summary>
    internal (JsonNode? Value, string? Error) Read(string? text)
    {
        if (text is null || (string.IsNullOrWhiteSpace(text) && Kind != FormFieldKind.String))
        {
            return (null, null);
        }

        var trimmed = text.Trim();
        var invariant = CultureInfo.InvariantCulture;
        var value = Kind switch
        {
            FormFieldKind.Boolean => bool.TryParse(trimmed, out var b) ? JsonValue.Create(b) : null,
            FormFieldKind.Integer => int.TryParse(trimmed, NumberStyles.Integer, invariant, out var i) ? JsonValue.Create(i) : null,
            FormFieldKind.Long => long.TryParse(trimmed, NumberStyles.Integer, invariant, out var l) ? JsonValue.Create(l) : null,
            FormFieldKind.Double or FormFieldKind.Float =>
                double.TryParse(trimmed, NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : null,
            FormFieldKind.String => JsonValue.Create(text),
            FormFieldKind.Date => DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date)
                ? JsonValue.Create(date.ToString("yyyy-MM-dd", invariant)) : null,
            FormFieldKind.DateTime => DateTimeOffset.TryParse(trimmed, invariant, DateTimeStyles.RoundtripKind | DateTimeStyles.AssumeUniversal, out var at)
                ? JsonValue.Create(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", invariant)) : null,
            FormFieldKind.Time => TimeOnly.TryParse(trimmed, invariant, out var time) ? JsonValue.Create(time.ToString("HH:mm:ss.FFFFFFF", invariant)) : null,
            FormFieldKind.Duration => IsDuration(trimmed) ? JsonValue.Create(trimmed) : null,
            FormFieldKind.Enum => Options.FirstOrDefault(o => o.Name == trimmed)?.Value.DeepClone(),
            FormFieldKind.Json => ParseJson(trimmed),
            _ => null,
        };

        return value is not null && Fits(value) ? (value, null) : (null, $"'{DisplayName}' takes {Expected()}.");
    }

    /// <summary>The text a leaf field shows for a current value (the inverse of what it reads).</summary>
    public string TextOf(JsonNode? value)
    {
        if (value is null)
        {
            return "";
        }

        if (Kind == FormFieldKind.Enum)
        {
            var element = JsonSerializer.SerializeToElement(value);
            return Options.FirstOrDefault(o => JsonElement.DeepEquals(JsonSerializer.SerializeToElement(o.Value), element))?.Name ?? value.ToJsonString();
        }

        return value is JsonValue scalar && scalar.GetValueKind() is JsonValueKind.String
            ? scalar.GetValue<string>()
            : value.ToJsonString();
    }

    /// <summary>Whether the value fits this field's declared schema (the rule every write is held to).</summary>
    public bool Fits(JsonNode value) => DeviceModels.Conforms(Schema, JsonSerializer.SerializeToElement(value));

    private static JsonNode? ParseJson(string text)
    {
        if (text.Length > MaxJsonChars)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth * 4 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsDuration(string text)
    {
        try
        {
            // DTDL's duration is ISO 8601 (DTDL v2 language description, "Primitive schemas"), as XML Schema's xs:duration reads it.
            System.Xml.XmlConvert.ToTimeSpan(text);
            return text.StartsWith('P');
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private string Expected() => Kind switch
    {
        FormFieldKind.Boolean => "true or false",
        FormFieldKind.Integer => "a whole number between -2147483648 and 2147483647",
        FormFieldKind.Long => "a whole number",
        FormFieldKind.Double or FormFieldKind.Float => "a number",
        FormFieldKind.Date => "a date (yyyy-MM-dd)",
        FormFieldKind.DateTime => "a date and time (ISO 8601)",
        FormFieldKind.Time => "a time (HH:mm:ss)",
        FormFieldKind.Duration => "an ISO 8601 duration such as PT1H30M",
        FormFieldKind.Enum => $"one of {string.Join(", ", Options.Select(o => o.Name))}",
        FormFieldKind.Json => "JSON that fits its schema",
        _ => "a value",
    };
}
