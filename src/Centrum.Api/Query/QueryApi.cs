using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Telemetry.Query;
using Centrum.Templates;
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

    private static async Task<IResult> RunAsync(HttpContext context, QueryService queries, DeviceTemplateService templates, DeviceRegistry registry, AccessScope scope, TimeProvider time)
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

        TelemetryQuery query;
        try
        {
            query = QueryParser.Parse(text.GetValue<string>());
        }
        catch (QueryException ex)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "InvalidQuery", ex.Message);
        }

        var application = context.Application();
        var template = await templates.GetAsync(application.Id, query.Template, context.RequestAborted);
        if (template is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "InvalidQuery", $"Device template '{query.Template}' does not exist.");
        }

        if (Undeclared(query, template) is { } unknown)
        {
            var kind = DeviceModels.Property(template.Model, unknown.Component, unknown.Name) is null ? "telemetry of the template" : "telemetry (property queries are not supported)";
            return ApiError.Result(StatusCodes.Status400BadRequest, "InvalidQuery", new QueryException($"'{unknown.Text}' is not {kind}", unknown.Position, unknown.Text).Message);
        }

        // A caller limited to organizations queries only its devices.
        var reach = await scope.ReachAsync(context, Permission.DeviceDataRead);
        var devices = await registry.IdsByTemplateAsync(application.Id, query.Template, reach, context.RequestAborted);
        try
        {
            var results = await queries.ExecuteAsync(application.Id, query, devices, time.GetUtcNow(), context.RequestAborted);
            return Results.Json(new { results });
        }
        catch (QueryException ex)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "InvalidQuery", ex.Message);
        }
        catch (QueryLimitException ex)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, ex.Code, ex.Message);
        }
    }

    private static QueryField? Undeclared(TelemetryQuery query, DeviceTemplate template)
    {
        IEnumerable<QueryField> Fields(Condition? c) => c switch
        {
            AndCondition a => Fields(a.Left).Concat(Fields(a.Right)),
            OrCondition o => Fields(o.Left).Concat(Fields(o.Right)),
            CompareCondition compare => [compare.Field],
            InCondition @in => [@in.Field],
            _ => [],
        };

        return query.Items.Select(i => i.Field).Concat(Fields(query.Where)).Concat(query.OrderBy is null ? [] : [query.OrderBy.Field])
            .FirstOrDefault(f => !f.IsId && !f.IsTimestamp && DeviceModels.Telemetry(template.Model, f.Component, f.Name) is null);
    }
}
