using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Jobs;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Jobs;

/// <summary>
/// IoT Central's job operations (IoT Central REST API reference, "Jobs": list, get, create, get devices, rerun, stop,
/// resume). Reading a job needs <see cref="Permission.JobsRead"/>; starting, re-running, stopping and resuming one
/// needs <see cref="Permission.JobsExecute"/>. The rules are <see cref="JobService"/>'s; this reads the wire form and
/// answers in IoT Central's shape.
/// </summary>
public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs");
        jobs.MapGet("/", ListAsync).RequirePermission(Permission.JobsRead);
        jobs.MapGet("/{jobId}", GetAsync).RequirePermission(Permission.JobsRead);
        jobs.MapPut("/{jobId}", CreateAsync).RequirePermission(Permission.JobsExecute);
        jobs.MapGet("/{jobId}/devices", DevicesAsync).RequirePermission(Permission.JobsRead);
        jobs.MapPut("/{jobId}/rerun/{rerunId}", RerunAsync).RequirePermission(Permission.JobsExecute);
        jobs.MapPost("/{jobId}/stop", StopAsync).RequirePermission(Permission.JobsExecute);
        jobs.MapPost("/{jobId}/resume", ResumeAsync).RequirePermission(Permission.JobsExecute);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, JobService jobs, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, JobService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var reach = await scope.ReachAsync(context, Permission.JobsRead);
        var page = await jobs.ListAsync(context.Application().Id, scheduledJobId: null, after, pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Jobs.Select(JobJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId) =>
        Answer(await jobs.GetAsync(context.Application().Id, jobId, await scope.ReachAsync(context, Permission.JobsRead), context.RequestAborted));

    /// <summary>IoT Central's <c>Jobs_Create</c>: a job is created and started at once, and answered as it stands.</summary>
    private static async Task<IResult> CreateAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!JobJson.TryRead(body, jobId, handled: null, out var definition, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var reach = await scope.ReachAsync(context, Permission.JobsExecute);
        return Answer(await jobs.CreateAsync(context.Application().Id, jobId, definition, reach, context.RequestAborted));
    }

    /// <summary>
    /// IoT Central's <c>Jobs_GetDevices</c>: each target and how it stands, with Centrum's <c>reason</c> for a failure.
    /// The job must be one the caller reaches; its targets are listed as the job holds them.
    /// </summary>
    private static async Task<IResult> DevicesAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, JobService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var reach = await scope.ReachAsync(context, Permission.JobsRead);
        var page = await jobs.DevicesAsync(context.Application().Id, jobId, after, pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Devices.Select(JobJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    /// <summary>IoT Central's <c>Jobs_Rerun</c>: job <paramref name="rerunId"/> runs the definition again on the devices that failed.</summary>
    private static async Task<IResult> RerunAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId, string rerunId)
    {
        var reach = await scope.ReachAsync(context, Permission.JobsExecute);
        return Answer(await jobs.RerunAsync(context.Application().Id, jobId, rerunId, reach, context.RequestAborted));
    }

    private static async Task<IResult> StopAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId)
    {
        var stopped = await jobs.StopAsync(context.Application().Id, jobId, await scope.ReachAsync(context, Permission.JobsExecute), context.RequestAborted);
        return stopped.Succeeded ? Results.NoContent() : ApiError.From(stopped.Problem);
    }

    private static async Task<IResult> ResumeAsync(HttpContext context, JobService jobs, AccessScope scope, string jobId)
    {
        var resumed = await jobs.ResumeAsync(context.Application().Id, jobId, await scope.ReachAsync(context, Permission.JobsExecute), context.RequestAborted);
        return resumed.Succeeded ? Results.NoContent() : ApiError.From(resumed.Problem);
    }

    private static IResult Answer(Outcome<Job> outcome) =>
        outcome.Succeeded ? Results.Json(JobJson.ToResponse(outcome.Value)) : ApiError.From(outcome.Problem);
}
