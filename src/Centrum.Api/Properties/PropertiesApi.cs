using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Api.Templates;
using Centrum.Identity.Authorization;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Properties;

/// <summary>
/// IoT Central's property operations on devices, components, modules and module components (IoT Central REST API
/// reference, "Devices" property operations). Writes set the desired side and answer 202; the device acknowledges on its own time.
/// </summary>
public static class PropertiesApi
{
    public static RouteGroupBuilder MapPropertiesApi(this RouteGroupBuilder api)
    {
        foreach (var (prefix, hasModule, hasComponent) in new[]
        {
            ("/devices/{deviceId}/properties", false, false),
            ("/devices/{deviceId}/components/{componentName}/properties", false, true),
            ("/devices/{deviceId}/modules/{moduleName}/properties", true, false),
            ("/devices/{deviceId}/modules/{moduleName}/components/{componentName}/properties", true, true),
        })
        {
            api.MapGet(prefix, (HttpContext c, TwinService t, DeviceModels m, string deviceId) => GetAsync(c, t, m, deviceId, Module(c, hasModule), Component(c, hasComponent)))
                .RequirePermission(Permission.DevicesRead);
            api.MapPut(prefix, (HttpContext c, TwinService t, DeviceModels m, string deviceId) => WriteAsync(c, t, m, deviceId, Module(c, hasModule), Component(c, hasComponent), replace: true))
                .RequirePermission(Permission.DevicesUpdate);
            api.MapPatch(prefix, (HttpContext c, TwinService t, DeviceModels m, string deviceId) => WriteAsync(c, t, m, deviceId, Module(c, hasModule), Component(c, hasComponent), replace: false))
                .RequirePermission(Permission.DevicesUpdate);
        }

        return api;
    }

    private static string? Module(HttpContext context, bool present) => present ? (string?)context.Request.RouteValues["moduleName"] : null;

    private static string? Component(HttpContext context, bool present) => present ? (string?)context.Request.RouteValues["componentName"] : null;

    private static async Task<IResult> GetAsync(HttpContext context, TwinService twins, DeviceModels models, string deviceId, string? module, string? component)
    {
        var application = context.Application();
        var twin = await twins.GetAsync(application.Id, deviceId, module, context.RequestAborted);
        if (twin is null)
        {
            return NotFound(deviceId, module);
        }

        if (ReadUnmodeled(context, out var unmodeled) is { } invalid)
        {
            return invalid;
        }

        var view = DeviceProperties.View(twin, component);
        if (module is null && !unmodeled && await models.ForDeviceAsync(application.Id, deviceId, context.RequestAborted) is { } template)
        {
            if (component is not null && DeviceModels.Scope(template.Model, component) is null)
            {
                return ApiError.NotFound($"Component '{component}' is not declared by template '{template.Id}'.");
            }

            view = TemplateChecks.Declared(template, component, view);
        }

        return Results.Json(view);
    }

    private static async Task<IResult> WriteAsync(HttpContext context, TwinService twins, DeviceModels models, string deviceId, string? module, string? component, bool replace)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject values)
        {
            return ApiError.BadRequest("The request body must be a JSON object of property values.");
        }

        var application = context.Application();
        var twin = await twins.GetAsync(application.Id, deviceId, module, context.RequestAborted);
        if (twin is null)
        {
            return NotFound(deviceId, module);
        }

        if (ReadUnmodeled(context, out var unmodeled) is { } invalid)
        {
            return invalid;
        }

        var template = module is null ? await models.ForDeviceAsync(application.Id, deviceId, context.RequestAborted) : null;
        var modeled = unmodeled && template is not null ? Modeled(template, component, values) : values;
        if (template is not null && modeled is not null && TemplateChecks.Writes(template, component, modeled) is { } refusal)
        {
            return refusal;
        }

        // Cloud properties stay with the platform; everything else is desired and goes to the device.
        var cloud = new JsonObject();
        if (template is not null && component is null)
        {
            foreach (var (name, value) in values.ToList())
            {
                if (DeviceModels.Property(template.Model, null, name) is { } declared && DeviceModels.IsCloud(declared))
                {
                    cloud[name] = value?.DeepClone();
                    values.Remove(name);
                }
            }

            if (cloud.Count > 0 && await twins.PatchCloudAsync(application.Id, deviceId, cloud, context.RequestAborted) is { Status: not TwinUpdateStatus.Updated } cloudFailure)
            {
                return ApiError.BadRequest(cloudFailure.Error!);
            }

            if (values.Count == 0 && !replace)
            {
                return Results.Json(DeviceProperties.Accepted(cloud, null), statusCode: StatusCodes.Status202Accepted);
            }
        }

        var patch = DeviceProperties.DesiredPatch(values, twin, component, replace, template?.Model.Components.Select(c => c.Name).ToHashSet());
        var result = await twins.PatchDesiredAsync(application.Id, deviceId, module, patch, context.RequestAborted);
        return result.Status switch
        {
            TwinUpdateStatus.Updated => Results.Json(Merge(DeviceProperties.Accepted(patch, component), cloud), statusCode: StatusCodes.Status202Accepted),
            TwinUpdateStatus.DeviceNotFound => NotFound(deviceId, module),
            _ => ApiError.BadRequest(result.Error!),
        };
    }

    /// <summary>
    /// IoT Central's <c>unmodeled</c> query parameter (REST API 2022-07-31, Devices_GetProperties and the property
    /// writes: "supporting unmodeled properties"): a boolean, false by default. Anything else is refused, naming it.
    /// </summary>
    private static IResult? ReadUnmodeled(HttpContext context, out bool unmodeled)
    {
        unmodeled = false;
        var raw = context.Request.Query["unmodeled"];
        return raw.Count == 0 || (raw.Count == 1 && bool.TryParse(raw[0], out unmodeled))
            ? null
            : ApiError.BadRequest("The query parameter 'unmodeled' must be true or false.");
    }

    /// <summary>
    /// With <c>unmodeled=true</c> a write may carry properties the template does not declare: they go to the device as
    /// desired properties unchecked, while the declared ones are still checked (writable, schema). Null when the scope
    /// itself (a component) is not declared, so nothing is checked.
    /// </summary>
    private static JsonObject? Modeled(DeviceTemplate template, string? component, JsonObject values)
    {
        if (component is not null && DeviceModels.Scope(template.Model, component) is null)
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
            else if (declaredComponent || DeviceModels.Property(template.Model, component, name) is not null)
            {
                modeled[name] = value?.DeepClone();
            }
        }

        return modeled;
    }

    private static JsonObject Merge(JsonObject accepted, JsonObject cloud)
    {
        if (cloud.Count == 0)
        {
            return accepted;
        }

        if (accepted["$metadata"] is not JsonObject metadata)
        {
            accepted["$metadata"] = metadata = [];
        }

        foreach (var (name, value) in cloud)
        {
            metadata[name] = new JsonObject { ["desiredValue"] = value?.DeepClone() };
        }

        return accepted;
    }

    private static IResult NotFound(string deviceId, string? module) =>
        ApiError.NotFound(module is null ? $"Device '{deviceId}' was not found." : $"Module '{module}' of device '{deviceId}' was not found.");
}
