using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates;

/// <summary>
/// A device template as stored, with its parsed model. <see cref="Modules"/> are the IoT Edge modules the model
/// declares, by name: IoT Central models each as a Relationship co-typed <c>EdgeModule</c> whose target is the module's
/// capability model (IoT Central REST API 2022-10-31-preview, DeviceTemplates_Create example; IoT Central
/// documentation, "IoT Edge devices and IoT Central": "a module capability model implements one or more module
/// interfaces").
/// </summary>
public sealed record DeviceTemplate(
    string Id, string ModelId, string? DisplayName, string? Description, JsonArray Types, JsonNode CapabilityModel, string ETag, DtdlInterface Model)
{
    /// <summary>The <c>@type</c> entry IoT Central gives an IoT Edge device's template (REST API 2022-10-31-preview, DeviceTemplates_Get example).</summary>
    public const string EdgeModelType = "EdgeModel";

    /// <summary>The co-type of a Relationship that is an IoT Edge module.</summary>
    public const string EdgeModuleType = "EdgeModule";

    public IReadOnlyDictionary<string, EdgeModuleModel> Modules { get; init; } = new Dictionary<string, EdgeModuleModel>();

    /// <summary>
    /// Whether devices of this template are IoT Edge devices: the template is typed <c>EdgeModel</c> or its model declares
    /// modules.
    /// </summary>
    public bool IsEdge => Modules.Count > 0 || Types.Any(t => t is JsonValue v && v.TryGetValue(out string? s) && s == EdgeModelType);

    /// <summary>The template as a module's routes read it: the module's capability model in place of the device's; null when the template does not declare the module.</summary>
    public DeviceTemplate? ForModule(string module) =>
        Modules.TryGetValue(module, out var declared) ? this with { Model = declared.Model, Modules = new Dictionary<string, EdgeModuleModel>() } : null;
}

/// <summary>An IoT Edge module a template declares: its Relationship in the device's model and the module's capability model.</summary>
public sealed record EdgeModuleModel(DtdlRelationship Relationship, DtdlInterface Model);
