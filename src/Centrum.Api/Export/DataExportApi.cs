using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Export;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Export;

/// <summary>
/// IoT Central's continuous data export: exports and destinations (preview api-version only; IoT Central REST API reference, "Destinations" and "Exports").
/// Responses carry the runtime status; Centrum adds <c>start</c> (where delivery begins) and <c>metrics</c>.
/// </summary>
public static class DataExportApi
{
    public static RouteGroupBuilder MapDataExportApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/dataExport").AddEndpointFilter(PreviewOnly);
        var exports = group.MapGroup("/exports");
        exports.MapGet("/", ListExportsAsync).RequirePermission(Permission.DataExportRead);
        exports.MapGet("/{exportId}", GetExportAsync).RequirePermission(Permission.DataExportRead);
        exports.MapPut("/{exportId}", PutExportAsync).RequirePermission(Permission.DataExportManage);
        exports.MapPatch("/{exportId}", PatchExportAsync).RequirePermission(Permission.DataExportManage);
        exports.MapDelete("/{exportId}", DeleteExportAsync).RequirePermission(Permission.DataExportManage);
        exports.MapGet("/{exportId}/destinations", ListExportDestinationsAsync).RequirePermission(Permission.DataExportRead);
        var destinations = group.MapGroup("/destinations");
        destinations.MapGet("/", ListDestinationsAsync).RequirePermission(Permission.DataExportRead);
        destinations.MapGet("/{destinationId}", GetDestinationAsync).RequirePermission(Permission.DataExportRead);
        destinations.MapPut("/{destinationId}", PutDestinationAsync).RequirePermission(Permission.DataExportManage);
        destinations.MapPatch("/{destinationId}", PatchDestinationAsync).RequirePermission(Permission.DataExportManage);
        destinations.MapDelete("/{destinationId}", DeleteDestinationAsync).RequirePermission(Permission.DataExportManage);
        destinations.MapGet("/{destinationId}/exports", ListDestinationExportsAsync).RequirePermission(Permission.DataExportRead);
        return api;
    }

    private static async ValueTask<object?> PreviewOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.Query["api-version"] == ApiVersions.Preview
            ? await next(context)
            : ApiError.BadRequest($"Data export is a preview operation: use api-version={ApiVersions.Preview}.");

    private static async Task<IResult> ListExportsAsync(HttpContext context, DataExportService service, ExportStatusBoard board, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DataExportService.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var application = context.Application().Id;
        var (page, next) = await service.ListExportsAsync(application, after, pageSize, context.RequestAborted);
        return Paging.Page(context, page.Select(e => ExportJson(e, board.Export(application, e))).ToList(), next);
    }

    private static async Task<IResult> GetExportAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string exportId)
    {
        var application = context.Application().Id;
        var export = await service.GetExportAsync(application, exportId, context.RequestAborted);
        return export is null ? ExportNotFound(exportId) : Results.Json(ExportJson(export, board.Export(application, export)));
    }

    private static async Task<IResult> PutExportAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string exportId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        return error ?? await SaveExportAsync(context, service, board, exportId, body, IfMatch(context, null));
    }

    private static async Task<IResult> PatchExportAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string exportId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject)
        {
            return ApiError.BadRequest("The body must be a JSON object (a merge patch).");
        }

        var current = await service.GetExportAsync(context.Application().Id, exportId, context.RequestAborted);
        if (current is null)
        {
            return ExportNotFound(exportId);
        }

        var merged = JsonMergePatch.Apply(DefinitionJson(current), body);
        return await SaveExportAsync(context, service, board, exportId, merged, IfMatch(context, body) ?? current.ETag);
    }

    private static async Task<IResult> SaveExportAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string exportId, JsonNode? body, string? ifMatch)
    {
        var application = context.Application().Id;
        var saved = await service.SaveExportAsync(application, exportId, body, ifMatch, context.RequestAborted);
        return saved.Succeeded ? Results.Json(ExportJson(saved.Value, board.Export(application, saved.Value))) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> DeleteExportAsync(HttpContext context, DataExportService service, string exportId) =>
        await service.DeleteExportAsync(context.Application().Id, exportId, context.RequestAborted) is { Succeeded: false } refused
            ? ApiError.From(refused.Problem)
            : Results.NoContent();

    private static async Task<IResult> ListExportDestinationsAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string exportId)
    {
        var application = context.Application().Id;
        var export = await service.GetExportAsync(application, exportId, context.RequestAborted);
        if (export is null)
        {
            return ExportNotFound(exportId);
        }

        var exports = await service.ExportsOfApplicationAsync(application, context.RequestAborted);
        var value = new List<JsonObject>();
        foreach (var reference in export.Destinations)
        {
            if (await service.GetDestinationAsync(application, reference.Id, context.RequestAborted) is { } destination)
            {
                value.Add(DestinationJson(service, destination, board.Destination(application, destination.Id, exports)));
            }
        }

        return Results.Json(new { value });
    }

    private static async Task<IResult> ListDestinationsAsync(HttpContext context, DataExportService service, ExportStatusBoard board, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DataExportService.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var application = context.Application().Id;
        var (page, next) = await service.ListDestinationsAsync(application, after, pageSize, context.RequestAborted);
        var exports = await service.ExportsOfApplicationAsync(application, context.RequestAborted);
        return Paging.Page(context, page.Select(d => DestinationJson(service, d, board.Destination(application, d.Id, exports))).ToList(), next);
    }

    private static async Task<IResult> GetDestinationAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string destinationId)
    {
        var application = context.Application().Id;
        var destination = await service.GetDestinationAsync(application, destinationId, context.RequestAborted);
        if (destination is null)
        {
            return DestinationNotFound(destinationId);
        }

        var exports = await service.ExportsOfApplicationAsync(application, context.RequestAborted);
        return Results.Json(DestinationJson(service, destination, board.Destination(application, destinationId, exports)));
    }

    private static async Task<IResult> PutDestinationAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string destinationId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        return error ?? await SaveDestinationAsync(context, service, board, destinationId, body, IfMatch(context, null));
    }

    /// <summary>A merge patch applies to the stored definition, so secrets the caller does not resend (it only sees them masked) are kept.</summary>
    private static async Task<IResult> PatchDestinationAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string destinationId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject)
        {
            return ApiError.BadRequest("The body must be a JSON object (a merge patch).");
        }

        var current = await service.GetDestinationAsync(context.Application().Id, destinationId, context.RequestAborted);
        if (current is null)
        {
            return DestinationNotFound(destinationId);
        }

        var merged = JsonMergePatch.Apply(current.Definition, body);
        return await SaveDestinationAsync(context, service, board, destinationId, merged, IfMatch(context, body) ?? current.ETag);
    }

    private static async Task<IResult> SaveDestinationAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string destinationId, JsonNode? body, string? ifMatch)
    {
        var application = context.Application().Id;
        var saved = await service.SaveDestinationAsync(application, destinationId, body, ifMatch, context.RequestAborted);
        if (!saved.Succeeded)
        {
            return ApiError.From(saved.Problem);
        }

        var exports = await service.ExportsOfApplicationAsync(application, context.RequestAborted);
        return Results.Json(DestinationJson(service, saved.Value, board.Destination(application, destinationId, exports)));
    }

    private static async Task<IResult> DeleteDestinationAsync(HttpContext context, DataExportService service, string destinationId)
    {
        var deleted = await service.DeleteDestinationAsync(context.Application().Id, destinationId, context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    private static async Task<IResult> ListDestinationExportsAsync(HttpContext context, DataExportService service, ExportStatusBoard board, string destinationId)
    {
        var application = context.Application().Id;
        if (await service.GetDestinationAsync(application, destinationId, context.RequestAborted) is null)
        {
            return DestinationNotFound(destinationId);
        }

        var exports = await service.ExportsOfApplicationAsync(application, context.RequestAborted);
        var value = exports.Where(e => e.Destinations.Any(d => d.Id == destinationId)).Select(e => ExportJson(e, board.Export(application, e))).ToList();
        return Results.Json(new { value });
    }

    /// <summary>The writable part of an export, as a PATCH merges into it.</summary>
    private static JsonObject DefinitionJson(ExportDefinition export)
    {
        var json = new JsonObject
        {
            ["displayName"] = export.DisplayName,
            ["enabled"] = export.Enabled,
            ["source"] = export.Source,
        };
        if (export.Filter is not null)
        {
            json["filter"] = export.Filter;
        }

        if (export.Enrichments is not null)
        {
            json["enrichments"] = export.Enrichments.DeepClone();
        }

        json["destinations"] = new JsonArray(export.Destinations.Select(d => (JsonNode)(d.Transform is null
            ? new JsonObject { ["id"] = d.Id }
            : new JsonObject { ["id"] = d.Id, ["transform"] = d.Transform })).ToArray());
        json["start"] = export.Start;
        return json;
    }

    private static JsonObject ExportJson(ExportDefinition export, ExportStatus status)
    {
        var json = new JsonObject { ["id"] = export.Id };
        foreach (var (name, value) in DefinitionJson(export))
        {
            json[name] = value?.DeepClone();
        }

        AddStatus(json, status);
        json["etag"] = export.ETag;
        return json;
    }

    private static JsonObject DestinationJson(DataExportService service, DestinationDefinition destination, ExportStatus status)
    {
        var json = new JsonObject { ["id"] = destination.Id };
        foreach (var (name, value) in service.Redacted(destination))
        {
            json[name] = value?.DeepClone();
        }

        AddStatus(json, status);
        json["etag"] = destination.ETag;
        return json;
    }

    private static void AddStatus(JsonObject json, ExportStatus status)
    {
        json["status"] = status.Status;
        json["errors"] = new JsonArray(status.Errors.Select(e => (JsonNode)new JsonObject { ["code"] = e.Code, ["message"] = e.Message }).ToArray());
        if (status.LastExportTime is { } last)
        {
            json["lastExportTime"] = IotCentralTime.ToText(last);
        }

        json["metrics"] = new JsonObject
        {
            ["delivered"] = status.Delivered,
            ["failed"] = status.Failed,
            ["backlog"] = status.Backlog,
            ["backlogAgeSeconds"] = status.BacklogAge is { } age ? Math.Round(age.TotalSeconds, 3) : 0,
        };
    }

    private static string? IfMatch(HttpContext context, JsonNode? body) =>
        context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? (string?)(body as JsonObject)?["etag"];

    private static IResult ExportNotFound(string id) => ApiError.From(DataExportService.ExportNotFound(id));

    private static IResult DestinationNotFound(string id) => ApiError.From(DataExportService.DestinationNotFound(id));
}
