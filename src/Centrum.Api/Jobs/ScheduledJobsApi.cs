using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Jobs;
using Centrum.Jobs.Scheduling;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Jobs;

/// <summary>
/// IoT Central's scheduled job operations (IoT Central REST API reference, "Scheduled Jobs": list, get, create, update,
/// remove, list jobs). The rules are the jobs area's (<see cref="ScheduledJobService"/>); this reads the wire form and
/// maps the outcome.
/// </summary>
public static class ScheduledJobsApi
{
    public static RouteGroupBuilder MapScheduledJobsApi(this RouteGroupBuilder api)
    {
        var scheduled = api.MapGroup("/scheduledJobs");
        scheduled.MapGet("/", ListAsync).RequirePermission(Permission.JobsRead);
        scheduled.MapGet("/{scheduledJobId}", GetAsync).RequirePermission(Permission.JobsRead);
        scheduled.MapPut("/{scheduledJobId}", CreateOrReplaceAsync).RequirePermission(Permission.JobsCreate);
        scheduled.MapPatch("/{scheduledJobId}", UpdateAsync).RequirePermission(Permission.JobsUpdate);
        scheduled.MapDelete("/{scheduledJobId}", DeleteAsync).RequirePermission(Permission.JobsDelete);
        scheduled.MapGet("/{scheduledJobId}/jobs", JobsAsync).RequirePermission(Permission.JobsRead);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, ScheduledJobService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var reach = await scope.ReachAsync(context, Permission.JobsRead);
        var page = await schedules.ListAsync(context.Application().Id, after, pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.ScheduledJobs.Select(ScheduledJobJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, string scheduledJobId) =>
        Answer(await schedules.GetAsync(context.Application().Id, scheduledJobId, await scope.ReachAsync(context, Permission.JobsRead), context.RequestAborted));

    private static async Task<IResult> CreateOrReplaceAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, string scheduledJobId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!ScheduledJobJson.TryRead(body, scheduledJobId, out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var reach = await scope.ReachAsync(context, Permission.JobsCreate);
        return Answer(await schedules.CreateOrReplaceAsync(context.Application().Id, scheduledJobId, write, IfMatch(context, etag), reach, context.RequestAborted));
    }

    /// <summary>IoT Central's <c>ScheduledJobs_Update</c>: an RFC 7396 merge patch over the scheduled job as it stands.</summary>
    private static async Task<IResult> UpdateAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, string scheduledJobId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject patch)
        {
            return ApiError.BadRequest("The request body must be a JSON object.");
        }

        var bodyETag = patch["etag"] is { } e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null;
        var reach = await scope.ReachAsync(context, Permission.JobsUpdate);
        var written = await schedules.UpdateAsync(context.Application().Id, scheduledJobId, current =>
            ScheduledJobJson.TryRead(JsonMergePatch.Apply(ScheduledJobJson.ToDocument(current), patch), scheduledJobId, out var write, out _, out var message)
                ? write
                : Problem.Invalid(message!),
            IfMatch(context, bodyETag), reach, context.RequestAborted);
        return Answer(written);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, string scheduledJobId)
    {
        var deleted = await schedules.DeleteAsync(context.Application().Id, scheduledJobId, await scope.ReachAsync(context, Permission.JobsDelete), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    /// <summary>IoT Central's <c>ScheduledJobs_ListJobs</c>: the jobs its runs made, newest first, in the job shape of <c>GET /jobs</c>.</summary>
    private static async Task<IResult> JobsAsync(HttpContext context, ScheduledJobService schedules, AccessScope scope, string scheduledJobId, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, JobService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var reach = await scope.ReachAsync(context, Permission.JobsRead);
        var page = await schedules.JobsAsync(context.Application().Id, scheduledJobId, after, pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Jobs.Select(JobJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static IResult Answer(Outcome<ScheduledJob> outcome) =>
        outcome.Succeeded ? Results.Json(ScheduledJobJson.ToResponse(outcome.Value)) : ApiError.From(outcome.Problem);

    private static string? IfMatch(HttpContext context, string? bodyETag) => context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? bodyETag;
}
