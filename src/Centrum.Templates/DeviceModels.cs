using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Outcomes;
using Centrum.Telemetry;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates;

/// <summary>
/// A device's model, through its template: which telemetry, properties, commands and components it declares, and
/// whether a value fits the declared schema. The one way in for the gateway, the store and the API to interpret data.
/// </summary>
public sealed class DeviceModels(IDeviceDirectory devices, DeviceTemplateService templates, TimeProvider time) : ITelemetryModel
{
    /// <summary>How long a device's template assignment is remembered; assignments through this node's API are forgotten at once.</summary>
    private static readonly TimeSpan AssignmentLifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Application, string Device), (string? TemplateId, DateTimeOffset Until)> _assignments = new();

    /// <summary>The device's template, or null when it has none (unassigned).</summary>
    public async ValueTask<DeviceTemplate?> ForDeviceAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_assignments.TryGetValue((applicationId, deviceId), out var assignment) || assignment.Until < now)
        {
            var templateId = await devices.TemplateOfAsync(applicationId, deviceId, cancellationToken);
            assignment = (templateId, now + AssignmentLifetime);
            _assignments[(applicationId, deviceId)] = assignment;
        }

        return assignment.TemplateId is null ? null : await templates.GetAsync(applicationId, assignment.TemplateId, cancellationToken);
    }

    public void Forget(string applicationId, string deviceId) => _assignments.TryRemove((applicationId, deviceId), out _);

    /// <summary>
    /// The template a device's or a module's data is read by: the device's own for the device (null
    /// <paramref name="moduleId"/>), and for a module the module's capability model in the device's IoT Edge template;
    /// null when there is none (an unassigned device, or a module the template does not describe, whose data is then
    /// unmodeled, as an unassigned IoT Edge device's is in IoT Central).
    /// </summary>
    public async ValueTask<DeviceTemplate?> ForIdentityAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
    {
        var template = await ForDeviceAsync(applicationId, deviceId, cancellationToken);
        return moduleId is null ? template : template?.ForModule(moduleId);
    }

    async ValueTask<TelemetryDeclaration?> ITelemetryModel.ForDeviceAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
    {
        var template = await ForIdentityAsync(applicationId, deviceId, moduleId, cancellationToken);
        return template is null ? null : (component, name, value) => Telemetry(template.Model, component, name) is { } telemetry && Conforms(telemetry.Schema, value);
    }

    /// <summary>The Interface of a component, or the root for null; null when the model has no such component.</summary>
    public static DtdlInterface? Scope(DtdlInterface model, string? component) =>
        component is null ? model : model.Components.FirstOrDefault(c => c.Name == component)?.Schema;

    public static DtdlTelemetry? Telemetry(DtdlInterface model, string? component, string name) => Scope(model, component)?.Telemetry.FirstOrDefault(t => t.Name == name);

    public static DtdlProperty? Property(DtdlInterface model, string? component, string name) => Scope(model, component)?.Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>IoT Central's cloud properties are Properties co-typed <c>Cloud</c>: kept by the platform, never sent to the device.</summary>
    public static bool IsCloud(DtdlProperty property) => property.CoTypes.Contains("Cloud");

    public static DtdlCommand? Command(DtdlInterface model, string? component, string name) => Scope(model, component)?.Commands.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// Whether a template allows a command: the component (if named) and the command must be declared, and the request
    /// must fit the declared request schema. Null when it does; otherwise the refusal, naming what is missing.
    /// </summary>
    public static Problem? CheckCommand(DeviceTemplate template, string? component, string name, JsonNode? request)
    {
        if (CheckComponent(template, component) is { } missing)
        {
            return missing;
        }

        var command = Command(template.Model, component, name);
        if (command is null)
        {
            return Problem.NotFound($"Command '{name}' is not declared by {Where(template, component)}.");
        }

        if (request is not null && command.Request is { } declared && !Conforms(declared.Schema, JsonSerializer.SerializeToElement(request)))
        {
            return Problem.Invalid($"The request of command '{name}' does not match its schema ('{declared.Name}') in {Where(template, component)}.");
        }

        return null;
    }

    /// <summary>
    /// Whether a template declares a telemetry (IoT Central answers 404 for an undeclared one unless the caller asks for
    /// unmodeled data). Null when it does; otherwise the refusal, naming what is missing.
    /// </summary>
    public static Problem? CheckTelemetry(DeviceTemplate template, string? component, string name) =>
        CheckComponent(template, component)
        ?? (Telemetry(template.Model, component, name) is null
            ? Problem.NotFound($"Telemetry '{name}' is not declared by {Where(template, component)}; add unmodeled=true to read undeclared data.")
            : null);

    /// <summary>
    /// Whether a property write fits the template: every written name is a property the scope declares that the cloud may
    /// write (writable, or a cloud property), or at the root a declared component given as an object of its own
    /// properties, and every value fits the declared schema (null, a removal, always fits). Null when it does.
    /// </summary>
    public static Problem? CheckWrites(DeviceTemplate template, string? component, JsonObject body) =>
        CheckComponent(template, component) ?? WritesIn(template, component, body);

    private static Problem? WritesIn(DeviceTemplate template, string? component, JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            // Components do not nest (DTDL v2 language description, "Component": its schema may not contain components),
            // so only the root's members may be components, and this recursion is one level deep.
            if (component is null && template.Model.Components.Any(c => c.Name == name))
            {
                if (value is not JsonObject nested)
                {
                    return Problem.Invalid($"Component '{name}' takes an object of its properties.");
                }

                if (WritesIn(template, name, nested) is { } inner)
                {
                    return inner;
                }

                continue;
            }

            var property = Property(template.Model, component, name);
            if (property is null)
            {
                return Problem.Invalid($"Property '{name}' is not declared by {Where(template, component)}.");
            }

            if (!property.Writable && !IsCloud(property))
            {
                return Problem.Invalid($"Property '{name}' of {Where(template, component)} is not writable.");
            }

            if (value is not null && !Conforms(property.Schema, JsonSerializer.SerializeToElement(value)))
            {
                return Problem.Invalid($"The value of property '{name}' does not match its schema in {Where(template, component)}.");
            }
        }

        return null;
    }

    /// <summary>
    /// The part of a write the template declares, for a write with <c>unmodeled=true</c> (IoT Central REST API
    /// 2022-07-31, property writes "supporting unmodeled properties"): undeclared names go to the device unchecked,
    /// declared ones are still checked with <see cref="CheckWrites"/>. Null when the named component is not declared.
    /// </summary>
    public static JsonObject? Modeled(DeviceTemplate template, string? component, JsonObject values)
    {
        if (component is not null && Scope(template.Model, component) is null)
        {
            return null;
        }

        var modeled = new JsonObject();
        foreach (var (name, value) in values)
        {
            var declaredComponent = component is null && template.Model.Components.Any(c => c.Name == name);
            if (declaredComponent && value is JsonObject nested)
            {
                modeled[name] = Modeled(template, name, nested) ?? [];
            }
            else if (declaredComponent || Property(template.Model, component, name) is not null)
            {
                modeled[name] = value?.DeepClone();
            }
        }

        return modeled;
    }

    /// <summary>
    /// A property view that keeps only what the template declares, with the metadata of what it keeps: IoT Central's
    /// default for property reads (REST API 2022-07-31, Devices_GetProperties; <c>unmodeled=true</c> shows all).
    /// </summary>
    public static JsonObject Declared(DeviceTemplate template, string? component, JsonObject view)
    {
        var result = new JsonObject();
        foreach (var (name, value) in view)
        {
            if (name == "$metadata")
            {
                continue;
            }

            if (component is null && template.Model.Components.Any(c => c.Name == name) && value is JsonObject nested)
            {
                result[name] = Declared(template, name, nested);
            }
            else if (Property(template.Model, component, name) is not null)
            {
                result[name] = value?.DeepClone();
            }
        }

        var keptMetadata = new JsonObject();
        foreach (var (name, value) in view["$metadata"] as JsonObject ?? [])
        {
            if (Property(template.Model, component, name) is not null)
            {
                keptMetadata[name] = value?.DeepClone();
            }
        }

        if (keptMetadata.Count > 0)
        {
            result["$metadata"] = keptMetadata;
        }

        return result;
    }

    /// <summary>A named component must be one the template declares.</summary>
    public static Problem? CheckComponent(DeviceTemplate template, string? component) =>
        component is not null && Scope(template.Model, component) is null
            ? Problem.NotFound($"Component '{component}' is not declared by template '{template.Id}'.")
            : null;

    public static string Where(DeviceTemplate template, string? component) =>
        component is null ? $"template '{template.Id}'" : $"component '{component}' of template '{template.Id}'";

    /// <summary>Whether a JSON value fits a DTDL schema (types, enum values, object fields, map values, arrays, geospatial shapes).</summary>
    public static bool Conforms(DtdlSchema schema, JsonElement value)
    {
        switch (schema)
        {
            case DtdlSchemaReference reference:
                return reference.Target is not null && Conforms(reference.Target, value);
            case DtdlPrimitiveSchema primitive:
                return primitive.Name switch
                {
                    "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                    "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
                    "long" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                    "double" or "float" => value.ValueKind == JsonValueKind.Number,
                    "string" => value.ValueKind == JsonValueKind.String,
                    "date" => value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", out _),
                    "dateTime" => value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _),
                    "time" => value.ValueKind == JsonValueKind.String && TimeOnly.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _),
                    "duration" => value.ValueKind == JsonValueKind.String && IsDuration(value.GetString()!),
                    "vector" => IsObjectOfNumbers(value, "x", "y", "z"),
                    "geopoint" => IsObjectOfNumbers(value, "lat", "lon") ,
                    _ => IsGeoJson(primitive.Name, value),
                };
            case DtdlEnumSchema enumeration:
                return enumeration.Values.Any(v => JsonElement.DeepEquals(JsonDocument.Parse(v.Value.ToJsonString()).RootElement, value));
            case DtdlObjectSchema obj:
                return value.ValueKind == JsonValueKind.Object
                    && value.EnumerateObject().All(p => obj.Fields.FirstOrDefault(f => f.Name == p.Name) is { Schema: { } field } && (p.Value.ValueKind == JsonValueKind.Null || Conforms(field, p.Value)));
            case DtdlMapSchema map:
                return value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => Conforms(map.ValueSchema, p.Value));
            case DtdlArraySchema array:
                return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => Conforms(array.ElementSchema, e));
            default:
                return false;
        }
    }

    private static bool IsObjectOfNumbers(JsonElement value, params string[] required) =>
        value.ValueKind == JsonValueKind.Object
        && required.All(r => value.TryGetProperty(r, out var v) && v.ValueKind == JsonValueKind.Number)
        && value.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Number);

    private static bool IsGeoJson(string type, JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty("type", out var t) && string.Equals(t.GetString(), type, StringComparison.OrdinalIgnoreCase)
        && value.TryGetProperty("coordinates", out var c) && c.ValueKind == JsonValueKind.Array;

    private static bool IsDuration(string text)
    {
        try
        {
            System.Xml.XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
