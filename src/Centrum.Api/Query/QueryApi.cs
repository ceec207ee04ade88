using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Templates.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Query;

/// <summary>IoT Central's <c>POST /query</c> (preview api-version 2022-10-31-preview; IoT Central docs "How to use the IoT Central REST API to query devices").</summary>
public static class QueryApi
{
    public static RouteGroupBuilder MapQueryApi(this RouteGroupBuilder api)
    {
        api.MapPost("/query", RunAsync).RequirePermission(Permission.DeviceDataRead);
        return api;
    }

    private static async Task<IResult> RunAsync(HttpContext context, TemplateQueryService queries, DeviceRegistry registry, AccessScope scope)
    {
        if (context.Request.Query["api-version"] != ApiVersions.Preview)
        {
            return ApiError.BadRequest($"The query API is a preview operation: use api-version={ApiVersions.Preview}.");
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj || obj.Count != 1 || obj["query"] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
        {
            return ApiError.BadRequest("The body must be {\"query\": \"SELECT …\"}.");
        }

        var application = context.Application();
        var prepared = await queries.PrepareAsync(application.Id, text.GetValue<string>(), context.RequestAborted);
        if (!prepared.Succeeded)
        {
            return ApiError.From(prepared.Problem);
        }

        // A caller limited to organizations queries only its devices.
        var reach = await scope.ReachAsync(context, Permission.DeviceDataRead);
        var devices = await registry.IdsByTemplateAsync(application.Id, prepared.Value.Template, reach, context.RequestAborted);
        var results = await queries.RunAsync(application.Id, prepared.Value, devices, context.RequestAborted);
        return results.Succeeded ? Results.Json(new { results = results.Value }) : ApiError.From(results.Problem);
    }
}
