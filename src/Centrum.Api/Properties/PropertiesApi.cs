using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
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
            api.MapGet(prefix, (HttpContext c, PropertyService p, string deviceId) => GetAsync(c, p, deviceId, Module(c, hasModule), Component(c, hasComponent)))
                .RequirePermission(Permission.DevicesRead);
            api.MapPut(prefix, (HttpContext c, PropertyService p, string deviceId) => WriteAsync(c, p, deviceId, Module(c, hasModule), Component(c, hasComponent), replace: true))
                .RequirePermission(Permission.DevicesUpdate);
            api.MapPatch(prefix, (HttpContext c, PropertyService p, string deviceId) => WriteAsync(c, p, deviceId, Module(c, hasModule), Component(c, hasComponent), replace: false))
                .RequirePermission(Permission.DevicesUpdate);
        }

        return api;
    }

    private static string? Module(HttpContext context, bool present) => present ? (string?)context.Request.RouteValues["moduleName"] : null;

    private static string? Component(HttpContext context, bool present) => present ? (string?)context.Request.RouteValues["componentName"] : null;

    private static async Task<IResult> GetAsync(HttpContext context, PropertyService properties, string deviceId, string? module, string? component)
    {
        if (ReadUnmodeled(context, out var unmodeled) is { } invalid)
        {
            return invalid;
        }

        var view = await properties.ReadAsync(context.Application().Id, deviceId, module, component, unmodeled, context.RequestAborted);
        return view.Succeeded ? Results.Json(view.Value) : ApiError.From(view.Problem);
    }

    private static async Task<IResult> WriteAsync(HttpContext context, PropertyService properties, string deviceId, string? module, string? component, bool replace)
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

        if (ReadUnmodeled(context, out var unmodeled) is { } invalid)
        {
            return invalid;
        }

        var accepted = await properties.WriteAsync(context.Application().Id, deviceId, module, component, values, replace, unmodeled, context.RequestAborted);
        return accepted.Succeeded ? Results.Json(accepted.Value, statusCode: StatusCodes.Status202Accepted) : ApiError.From(accepted.Problem);
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
}
