using System.Text.Json.Nodes;

namespace Centrum.Templates.Dtdl;

/// <summary>A problem in a model: where (a JSON path into the document) and why.</summary>
public sealed record DtdlError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The outcome of parsing: the interfaces, or the errors that make the model invalid (then nothing is usable).</summary>
public sealed record DtdlParseResult(IReadOnlyDictionary<string, DtdlInterface> Interfaces, IReadOnlyList<DtdlError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>A localizable string: language code → text (a plain string is stored under <c>""</c>).</summary>
public sealed class LocalizedText(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public string? Default => Values.TryGetValue("en", out var en) ? en : Values.TryGetValue("", out var plain) ? plain : Values.Values.FirstOrDefault();
}

public sealed class DtdlInterface
{
    public required string Id { get; init; }

    public required int DtdlVersion { get; init; }

    public required string Path { get; init; }

    public LocalizedText? DisplayName { get; init; }

    public LocalizedText? Description { get; init; }

    public List<DtdlContent> Contents { get; } = [];

    public List<string> Extends { get; } = [];

    public List<DtdlSchema> Schemas { get; } = [];

    /// <summary>Own contents and those inherited through <c>extends</c>, after resolution.</summary>
    public IReadOnlyList<DtdlContent> AllContents { get; internal set; } = [];

    public IEnumerable<DtdlTelemetry> Telemetry => AllContents.OfType<DtdlTelemetry>();

    public IEnumerable<DtdlProperty> Properties => AllContents.OfType<DtdlProperty>();

    public IEnumerable<DtdlCommand> Commands => AllContents.OfType<DtdlCommand>();

    public IEnumerable<DtdlComponent> Components => AllContents.OfType<DtdlComponent>();

    public DtdlContent? Find(string name) => AllContents.FirstOrDefault(c => c.Name == name);
}

public abstract class DtdlContent
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public string? Id { get; init; }

    public LocalizedText? DisplayName { get; init; }

    public LocalizedText? Description { get; init; }

    /// <summary>Co-types beside the element's class: semantic types and extension types.</summary>
    public IReadOnlyList<string> CoTypes { get; init; } = [];
}

public sealed class DtdlTelemetry : DtdlContent
{
    public required DtdlSchema Schema { get; set; }

    public string? Unit { get; init; }
}

public sealed class DtdlProperty : DtdlContent
{
    public required DtdlSchema Schema { get; set; }

    public bool Writable { get; init; }

    public string? Unit { get; init; }
}

public sealed class DtdlCommand : DtdlContent
{
    public DtdlPayload? Request { get; init; }

    public DtdlPayload? Response { get; init; }
}

public sealed class DtdlPayload
{
    public required string Name { get; init; }

    public required DtdlSchema Schema { get; set; }
}

public sealed class DtdlRelationship : DtdlContent
{
    public string? Target { get; init; }

    public int? MaxMultiplicity { get; init; }

    public bool Writable { get; init; }

    public List<DtdlProperty> Properties { get; } = [];
}

public sealed class DtdlComponent : DtdlContent
{
    public required string SchemaId { get; init; }

    public DtdlInterface? Schema { get; internal set; }
}

public abstract class DtdlSchema
{
    public string? Id { get; init; }

    public required string Path { get; init; }
}

/// <summary>A primitive or geospatial schema (or IoT Central's <c>vector</c> and <c>geopoint</c>), by its term.</summary>
public sealed class DtdlPrimitiveSchema : DtdlSchema
{
    public required string Name { get; init; }

    public bool IsNumeric => Name is "double" or "float" or "integer" or "long";
}

public sealed class DtdlObjectSchema : DtdlSchema
{
    public List<(string Name, DtdlSchema Schema)> Fields { get; } = [];
}

public sealed class DtdlMapSchema : DtdlSchema
{
    public required string KeyName { get; init; }

    public required string ValueName { get; init; }

    public required DtdlSchema ValueSchema { get; set; }
}

public sealed class DtdlEnumSchema : DtdlSchema
{
    public required string ValueSchema { get; init; }

    public List<(string Name, JsonValue Value, LocalizedText? DisplayName)> Values { get; } = [];
}

public sealed class DtdlArraySchema : DtdlSchema
{
    public required DtdlSchema ElementSchema { get; set; }
}

/// <summary>A schema named by DTMI, resolved against the Interface's <c>schemas</c>.</summary>
public sealed class DtdlSchemaReference : DtdlSchema
{
    public required string Reference { get; init; }

    public DtdlSchema? Target { get; internal set; }
}
