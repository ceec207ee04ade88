using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Templates;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Templates;

/// <summary>The REST endpoints accept the names a device's template declares and refuse others with a clear error.</summary>
internal static class TemplateChecks
{
    public static IResult? Telemetry(DeviceTemplate template, string? component, string name) =>
        Component(template, component)
        ?? (DeviceModels.Telemetry(template.Model, component, name) is null
            ? ApiError.NotFound($"Telemetry '{name}' is not declared by {Where(template, component)}; add unmodeled=true to read undeclared data.")
            : null);

    /// <summary>Every written property must be a writable property the scope declares (or, at the root, a declared component).</summary>
    public static IResult? Writes(DeviceTemplate template, string? component, JsonObject body)
    {
        if (Component(template, component) is { } missing)
        {
            return missing;
        }

        foreach (var (name, value) in body)
        {
            if (component is null && template.Model.Components.Any(c => c.Name == name))
            {
                if (value is not JsonObject nested)
                {
                    return ApiError.BadRequest($"Component '{name}' takes an object of its properties.");
                }

                if (Writes(template, name, nested) is { } inner)
                {
                    return inner;
                }

                continue;
            }

            var property = DeviceModels.Property(template.Model, component, name);
            if (property is null)
            {
                return ApiError.BadRequest($"Property '{name}' is not declared by {Where(template, component)}.");
            }

            if (!property.Writable && !DeviceModels.IsCloud(property))
            {
                return ApiError.BadRequest($"Property '{name}' of {Where(template, component)} is not writable.");
            }

            if (value is not null && !DeviceModels.Conforms(property.Schema, System.Text.Json.JsonDocument.Parse(value.ToJsonString()).RootElement))
            {
                return ApiError.BadRequest($"The value of property '{name}' does not match its schema in {Where(template, component)}.");
            }
        }

        return null;
    }

    /// <summary>A property view keeps only what the template declares (IoT Central's default; <c>unmodeled=true</c> shows all).</summary>
    public static JsonObject Declared(DeviceTemplate template, string? component, JsonObject view)
    {
        var result = new JsonObject();
        var metadata = view["$metadata"] as JsonObject;
        var keptMetadata = new JsonObject();
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
            else if (DeviceModels.Property(template.Model, component, name) is not null)
            {
                result[name] = value?.DeepClone();
            }
        }

        foreach (var (name, value) in metadata ?? [])
        {
            if (DeviceModels.Property(template.Model, component, name) is not null)
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

    private static IResult? Component(DeviceTemplate template, string? component) =>
        DeviceModels.CheckComponent(template, component) is { } problem ? ApiError.From(problem) : null;

    private static string Where(DeviceTemplate template, string? component) => DeviceModels.Where(template, component);
}
