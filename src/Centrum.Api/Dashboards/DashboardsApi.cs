using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Dashboards;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Dashboards;

/// <summary>
/// IoT Central's dashboard operations (REST API 2022-10-31-preview, "Dashboards": list, get, create, update, remove).
/// Any member may call them, since every member keeps personal dashboards; application dashboards are handed to the
/// dashboards area with the caller's reach for the operation's dashboards permission, which is empty without it.
/// </summary>
public static class DashboardsApi
{
    public static RouteGroupBuilder MapDashboardsApi(this RouteGroupBuilder api)
    {
        var dashboards = api.MapGroup("/dashboards").AddEndpointFilter(PreviewOnly);
        dashboards.MapGet("/", ListAsync).RequireAuthorization(MemberPolicy.Name);
        dashboards.MapGet("/{dashboardId}", GetAsync).RequireAuthorization(MemberPolicy.Name);
        dashboards.MapPut("/{dashboardId}", CreateAsync).RequireAuthorization(MemberPolicy.Name);
        dashboards.MapPatch("/{dashboardId}", UpdateAsync).RequireAuthorization(MemberPolicy.Name);
        dashboards.MapDelete("/{dashboardId}", DeleteAsync).RequireAuthorization(MemberPolicy.Name);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DashboardService dashboards, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DashboardService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        if (Caller(context) is not { } caller)
        {
            return Unknown();
        }

        var reach = await scope.ReachAsync(context, Permission.DashboardsRead);
        var page = await dashboards.ListAsync(context.Application().Id, caller, Paging.ListRequest(context, after), pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Dashboards.Select(DashboardJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, DashboardService dashboards, AccessScope scope, string dashboardId) =>
        Caller(context) is { } caller
            ? Answer(await dashboards.GetAsync(context.Application().Id, dashboardId, caller, await scope.ReachAsync(context, Permission.DashboardsRead), context.RequestAborted))
            : Unknown();

    private static async Task<IResult> CreateAsync(HttpContext context, DashboardService dashboards, AccessScope scope, string dashboardId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!DashboardJson.TryRead(body, dashboardId, new DashboardWrite(null, [], false, false, []), out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        if (Caller(context) is not { } caller)
        {
            return Unknown();
        }

        var reach = await scope.ReachAsync(context, Permission.DashboardsCreate);
        return Answer(await dashboards.CreateAsync(context.Application().Id, dashboardId, caller, write, IfMatch(context, etag), reach, context.RequestAborted));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, DashboardService dashboards, AccessScope scope, string dashboardId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (Caller(context) is not { } caller)
        {
            return Unknown();
        }

        var bodyETag = body is JsonObject o && o["etag"] is { } e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null;
        var reach = await scope.ReachAsync(context, Permission.DashboardsUpdate);
        var written = await dashboards.UpdateAsync(context.Application().Id, dashboardId, caller, current =>
            DashboardJson.TryRead(body, dashboardId, current, out var write, out _, out var message) ? write : Problem.Invalid(message!),
            IfMatch(context, bodyETag), reach, context.RequestAborted);
        return written.Succeeded ? Answer(written) : await RefusalAsync(context, dashboards, scope, dashboardId, caller, written.Problem, "change");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DashboardService dashboards, AccessScope scope, string dashboardId)
    {
        if (Caller(context) is not { } caller)
        {
            return Unknown();
        }

        var deleted = await dashboards.DeleteAsync(context.Application().Id, dashboardId, caller, await scope.ReachAsync(context, Permission.DashboardsDelete), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : await RefusalAsync(context, dashboards, scope, dashboardId, caller, deleted.Problem, "delete");
    }

    /// <summary>
    /// A dashboard the caller may read but not change or delete is forbidden to it, not missing: deny with 403 as IoT
    /// Central answers a role without the permission. One it may not even read stays not found, so nothing is learned
    /// of dashboards outside its reach or of other members' personal ones.
    /// </summary>
    private static async Task<IResult> RefusalAsync(HttpContext context, DashboardService dashboards, AccessScope scope, string dashboardId, string caller, Problem problem, string action)
    {
        if (problem.Kind == ProblemKind.NotFound
            && (await dashboards.GetAsync(context.Application().Id, dashboardId, caller, await scope.ReachAsync(context, Permission.DashboardsRead), context.RequestAborted)).Succeeded)
        {
            return ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", $"The caller may read dashboard '{dashboardId}' but not {action} it.");
        }

        return ApiError.From(problem);
    }

    /// <summary>Dashboards exist only in IoT Central's preview API (2022-10-31-preview); the stable version has no such operations.</summary>
    private static async ValueTask<object?> PreviewOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.Query["api-version"] == ApiVersions.Preview
            ? await next(context)
            : ApiError.BadRequest($"Dashboards are a preview operation: use api-version={ApiVersions.Preview}.");

    private static IResult Answer(Outcome<Dashboard> outcome) =>
        outcome.Succeeded ? Results.Json(DashboardJson.ToResponse(outcome.Value)) : ApiError.From(outcome.Problem);

    private static string? Caller(HttpContext context) => context.User.MemberId();

    /// <summary>A member the server cannot name (no token id, session email or object id) could not own a personal dashboard; deny by default.</summary>
    private static IResult Unknown() => ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", "The caller cannot be identified as a member of the application.");

    private static string? IfMatch(HttpContext context, string? bodyETag) => context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? bodyETag;
}
