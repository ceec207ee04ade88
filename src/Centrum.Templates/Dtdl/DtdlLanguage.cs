using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Centrum.Templates.Dtdl;

/// <summary>
/// The facts of DTDL v2 and v3 the validator checks against (DTDL.Specification.v2.md, DTDL.Specification.v3.md, the
/// QuantitativeTypes extension and IoT Central's v2 extension, in Azure/opendigitaltwins-dtdl).
/// </summary>
internal static partial class DtdlLanguage
{
    public const string ContextV2 = "dtmi:dtdl:context;2";
    public const string ContextV3 = "dtmi:dtdl:context;3";
    public const string IotCentralContext = "dtmi:iotcentral:context;2";
    public const string QuantitativeTypesContext = "dtmi:dtdl:extension:quantitativeTypes;1";

    /// <summary>v3 extensions Centrum understands; others are refused as unsupported rather than silently ignored.</summary>
    public static readonly FrozenSet<string> V3Extensions = new[]
    {
        QuantitativeTypesContext,
        "dtmi:dtdl:extension:historization;1", "dtmi:dtdl:extension:historization;2",
        "dtmi:dtdl:extension:annotation;1", "dtmi:dtdl:extension:annotation;2",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> Primitives = new[]
    {
        "boolean", "date", "dateTime", "double", "duration", "float", "integer", "long", "string", "time",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> Geospatial = new[]
    {
        "point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>IoT Central's v2 schemas: objects of doubles (x, y, z) and (lon, lat, alt).</summary>
    public static readonly FrozenSet<string> IotCentralSchemas = new[] { "vector", "geopoint" }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> ContentClasses = new[] { "Telemetry", "Property", "Command", "Relationship", "Component" }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> ComplexSchemaClasses = new[] { "Array", "Enum", "Map", "Object" }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> DtdlTerms = new[]
    {
        "Interface", "Telemetry", "Property", "Command", "Relationship", "Component", "CommandPayload", "CommandRequest", "CommandResponse",
        "Array", "Enum", "EnumValue", "Map", "MapKey", "MapValue", "Object", "Field", "Schema", "Content", "Entity", "NamedEntity",
        "SemanticType", "Unit", "LatentType", "NamedLatentType", "Alias",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> CommonMembers = new[] { "@id", "@type", "@context", "comment", "description", "displayName" }.ToFrozenSet(StringComparer.Ordinal);

    public sealed record SemanticType(string UnitType, FrozenSet<string> Units, bool UnitRequired, FrozenSet<string>? Schemas, bool EnumSchema);

    public static readonly FrozenDictionary<string, SemanticType> V2SemanticTypes = LoadUnits("v2");
    public static readonly FrozenDictionary<string, SemanticType> V3SemanticTypes = LoadUnits("v3");
    public static readonly FrozenDictionary<string, SemanticType> IotCentralTypes = LoadUnits("iotcentral");

    /// <summary>v2 reserves every semantic type, unit type and unit: they cannot be used as arbitrary co-types.</summary>
    public static readonly FrozenSet<string> V2Reserved = DtdlTerms
        .Concat(V2SemanticTypes.Keys).Concat(V2SemanticTypes.Values.Select(t => t.UnitType)).Concat(V2SemanticTypes.Values.SelectMany(t => t.Units))
        .ToFrozenSet(StringComparer.Ordinal);

    public static int MaxNameLength(int version) => version == 2 ? 64 : 512;

    public static int MaxDisplayNameLength(int version) => version == 2 ? 64 : 512;

    public const int MaxDescriptionLength = 512;
    public const int MaxCommentLength = 512;
    public const int MaxInterfaceIdLength = 128;
    public const int MaxIdLength = 2048;
    public const int MaxComplexSchemaDepth = 5;
    public const int MaxExtendsDepth = 10;
    public const int V2MaxContents = 300;
    public const int V2MaxDirectExtends = 2;
    public const int V2MaxEnumValues = 100;
    public const int V2MaxFields = 30;
    public const int V2MaxRelationshipProperties = 300;
    public const int V2MaxMultiplicity = 500;
    public const int V3MaxExtendsTotal = 1024;
    public const int V3MaxElements = 100_000;

    public static bool IsName(string value, int version) => value.Length <= MaxNameLength(version) && NameRegex().IsMatch(value);

    public static bool IsDtmi(string value, int version) =>
        value.Length <= MaxIdLength && (version == 2 ? DtmiV2Regex() : DtmiV3Regex()).IsMatch(value);

    public static bool IsReservedId(string value) =>
        value.StartsWith("dtmi:dtdl:", StringComparison.Ordinal) || value.StartsWith("dtmi:standard:", StringComparison.Ordinal) || value.StartsWith("dtmi:iotcentral:", StringComparison.Ordinal);

    public static bool IsLanguageTag(string value) => LanguageRegex().IsMatch(value);

    [GeneratedRegex("^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*;[1-9][0-9]{0,8}$")]
    private static partial Regex DtmiV2Regex();

    [GeneratedRegex(@"^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*(?:;[1-9][0-9]{0,8}(?:\.[1-9][0-9]{0,5})?)?$")]
    private static partial Regex DtmiV3Regex();

    [GeneratedRegex("^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")]
    private static partial Regex LanguageRegex();

    private static FrozenDictionary<string, SemanticType> LoadUnits(string section)
    {
        using var stream = typeof(DtdlLanguage).Assembly.GetManifestResourceStream("Centrum.Templates.Dtdl.units.json")!;
        using var document = JsonDocument.Parse(stream);
        var result = new Dictionary<string, SemanticType>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty(section).EnumerateObject())
        {
            if (entry.Name.StartsWith('_'))
            {
                continue;
            }

            var value = entry.Value;
            var units = value.TryGetProperty("units", out var list) ? list.EnumerateArray().Select(u => u.GetString()!).ToFrozenSet(StringComparer.Ordinal) : FrozenSet<string>.Empty;
            var unitType = value.TryGetProperty("unitType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "";
            var required = !value.TryGetProperty("unitRequired", out var req) || req.ValueKind != JsonValueKind.False;
            if (value.TryGetProperty("unitAllowed", out var allowed) && allowed.ValueKind == JsonValueKind.False)
            {
                required = false;
            }

            var schemas = value.TryGetProperty("allowedSchemas", out var allowedSchemas)
                ? allowedSchemas.EnumerateArray().Select(s => s.GetString()!).ToFrozenSet(StringComparer.Ordinal)
                : null;
            var enumSchema = value.TryGetProperty("schemaConstraint", out var constraint) && constraint.GetString()!.Contains("Enum", StringComparison.Ordinal);
            result[entry.Name] = new SemanticType(unitType, units, required && units.Count > 0, schemas, enumSchema);
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
