using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates;

/// <summary>A device template as stored, with its parsed model.</summary>
public sealed record DeviceTemplate(
    string Id, string ModelId, string? DisplayName, string? Description, JsonArray Types, JsonNode CapabilityModel, string ETag, DtdlInterface Model);
