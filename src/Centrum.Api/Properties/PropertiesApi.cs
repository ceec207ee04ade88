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

        var view = DeviceProperties.View(twin, component);
        var unmodeled = string.Equals(context.Request.Query["unmodeled"], "true", StringComparison.OrdinalIgnoreCase);
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

        var template = module is null ? await models.ForDeviceAsync(application.Id, deviceId, context.RequestAborted) : null;
        if (template is not null && TemplateChecks.Writes(template, component, values) is { } refusal)
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
