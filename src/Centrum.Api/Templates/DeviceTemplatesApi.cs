using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Listing;
using Centrum.Templates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Templates;

/// <summary>IoT Central's device templates (IoT Central REST API reference, "Device Templates").</summary>
public static class DeviceTemplatesApi
{
    public static RouteGroupBuilder MapDeviceTemplatesApi(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/deviceTemplates");
        templates.MapGet("/", ListAsync).RequirePermission(Permission.TemplatesRead);
        templates.MapGet("/{deviceTemplateId}", GetAsync).RequirePermission(Permission.TemplatesRead);
        templates.MapPut("/{deviceTemplateId}", (HttpContext c, DeviceTemplateService s, string deviceTemplateId) => SaveAsync(c, s, deviceTemplateId, patch: false)).RequirePermission(Permission.TemplatesManage);
        templates.MapPatch("/{deviceTemplateId}", (HttpContext c, DeviceTemplateService s, string deviceTemplateId) => SaveAsync(c, s, deviceTemplateId, patch: true)).RequirePermission(Permission.TemplatesManage);
        templates.MapDelete("/{deviceTemplateId}", DeleteAsync).RequirePermission(Permission.TemplatesManage);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DeviceTemplateService templates, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, 100, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        IReadOnlyList<DeviceTemplate> page;
        string? next;
        try
        {
            (page, next) = await templates.ListAsync(context.Application().Id, Paging.ListRequest(context, after), pageSize, context.RequestAborted);
        }
        catch (ListQueryException ex)
        {
            return Paging.Refuse(ex);
        }

        var value = page.Select(ToJson).ToList();
        return Paging.Page(context, value, next);
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeviceTemplateService templates, string deviceTemplateId)
    {
        var template = await templates.GetAsync(context.Application().Id, deviceTemplateId, context.RequestAborted);
        return template is null ? NotFound(deviceTemplateId) : Results.Json(ToJson(template));
    }

    private static async Task<IResult> SaveAsync(HttpContext context, DeviceTemplateService templates, string deviceTemplateId, bool patch)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj)
        {
            return ApiError.BadRequest("The request body must be a DeviceTemplate object.");
        }

        foreach (var (name, _) in obj)
        {
            if (name is not ("@id" or "@type" or "etag" or "displayName" or "description" or "capabilityModel" or "@context"))
            {
                return ApiError.BadRequest($"Unknown field '{name}' in the device template body.");
            }
        }

        var application = context.Application();
        var current = patch ? await templates.GetAsync(application.Id, deviceTemplateId, context.RequestAborted) : null;
        if (patch && current is null)
        {
            return NotFound(deviceTemplateId);
        }

        if (obj["@id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String && id.GetValue<string>() != deviceTemplateId)
        {
            return ApiError.BadRequest("Field '@id' must match the template id in the path.");
        }

        var types = obj["@type"] switch
        {
            JsonArray array when array.All(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String) => (JsonArray)array.DeepClone(),
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            null => current?.Types ?? ["ModelDefinition", "DeviceModel"],
            _ => null,
        };
        if (types is null)
        {
            return ApiError.BadRequest("Field '@type' must be an array of strings such as [\"ModelDefinition\",\"DeviceModel\"].");
        }

        var model = obj["capabilityModel"] ?? current?.CapabilityModel;
        if (model is not (JsonObject or JsonArray))
        {
            return ApiError.BadRequest("Field 'capabilityModel' is required: a DTDL Interface, or an array of Interfaces with the device's first.");
        }

        var displayName = obj.ContainsKey("displayName") ? Text(obj["displayName"]) : current?.DisplayName;
        var description = obj.ContainsKey("description") ? Text(obj["description"]) : current?.Description;
        var ifMatch = context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? (obj["etag"] as JsonValue)?.ToString();
        var saved = await templates.SaveAsync(application.Id, deviceTemplateId, types, displayName, description, model, ifMatch, context.RequestAborted);
        return saved.Succeeded ? Results.Json(ToJson(saved.Value)) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceTemplateService templates, string deviceTemplateId)
    {
        var deleted = await templates.DeleteAsync(context.Application().Id, deviceTemplateId, context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static object ToJson(DeviceTemplate template) => new Dictionary<string, object?>
    {
        ["@id"] = template.Id,
        ["@type"] = template.Types,
        ["etag"] = template.ETag,
        ["displayName"] = template.DisplayName,
        ["description"] = template.Description,
        ["capabilityModel"] = template.CapabilityModel,
    };

    private static IResult NotFound(string id) => ApiError.NotFound($"Device template '{id}' was not found.");
}
