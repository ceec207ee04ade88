using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates;

/// <summary>A device template as stored, with its parsed model.</summary>
public sealed record DeviceTemplate(
    string Id, string ModelId, string? DisplayName, string? Description, JsonArray Types, JsonNode CapabilityModel, string ETag, DtdlInterface Model);

public enum TemplateOutcome
{
    Saved,
    Invalid,
    NotFound,
    ETagMismatch,
    Incompatible,
    InUse,
}

public sealed record TemplateResult(TemplateOutcome Outcome, DeviceTemplate? Template = null, IReadOnlyList<DtdlError>? Errors = null, string? Message = null);
