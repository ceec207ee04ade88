using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Devices;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Groups;

/// <summary>IoT Central's device group operations (IoT Central REST API reference, "Device Groups": list, get, create, update, remove, get devices).</summary>
public static class DeviceGroupsApi
{
    public static RouteGroupBuilder MapDeviceGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/deviceGroups");
        groups.MapGet("/", ListAsync).RequirePermission(Permission.DeviceGroupsRead);
        groups.MapGet("/{deviceGroupId}", GetAsync).RequirePermission(Permission.DeviceGroupsRead);
        groups.MapPut("/{deviceGroupId}", CreateOrReplaceAsync).RequirePermission(Permission.DeviceGroupsCreate);
        groups.MapPatch("/{deviceGroupId}", UpdateAsync).RequirePermission(Permission.DeviceGroupsUpdate);
        groups.MapDelete("/{deviceGroupId}", DeleteAsync).RequirePermission(Permission.DeviceGroupsDelete);
        groups.MapGet("/{deviceGroupId}/devices", DevicesAsync).RequirePermission(Permission.DeviceGroupsRead);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DeviceGroupService groups, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DeviceGroupService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var reach = await scope.ReachAsync(context, Permission.DeviceGroupsRead);
        var page = await groups.ListAsync(context.Application().Id, Paging.ListRequest(context, after), pageSize, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Groups.Select(DeviceGroupJson.ToResponse).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeviceGroupService groups, AccessScope scope, string deviceGroupId) =>
        Answer(await groups.GetAsync(context.Application().Id, deviceGroupId, await scope.ReachAsync(context, Permission.DeviceGroupsRead), context.RequestAborted));

    private static async Task<IResult> CreateOrReplaceAsync(HttpContext context, DeviceGroupService groups, AccessScope scope, string deviceGroupId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!DeviceGroupJson.TryRead(body, deviceGroupId, new DeviceGroupWrite(null, null, null, []), out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var reach = await scope.ReachAsync(context, Permission.DeviceGroupsCreate);
        return Answer(await groups.CreateOrReplaceAsync(context.Application().Id, deviceGroupId, write, IfMatch(context, etag), reach, context.RequestAborted));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, DeviceGroupService groups, AccessScope scope, string deviceGroupId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var bodyETag = body is JsonObject o && o["etag"] is { } e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null;
        var reach = await scope.ReachAsync(context, Permission.DeviceGroupsUpdate);
        var written = await groups.UpdateAsync(context.Application().Id, deviceGroupId, current =>
            DeviceGroupJson.TryRead(body, deviceGroupId, current, out var write, out _, out var message) ? write : Problem.Invalid(message!),
            IfMatch(context, bodyETag), reach, context.RequestAborted);
        return Answer(written);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceGroupService groups, AccessScope scope, string deviceGroupId)
    {
        var deleted = await groups.DeleteAsync(context.Application().Id, deviceGroupId, await scope.ReachAsync(context, Permission.DeviceGroupsDelete), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    /// <summary>
    /// IoT Central's <c>DeviceGroups_GetDevices</c>: the group's current members in the device shape of <c>GET /devices</c>.
    /// Members must also be devices the caller may read, so the reach is that of the devices read permission.
    /// </summary>
    private static async Task<IResult> DevicesAsync(HttpContext context, DeviceGroupService groups, DeviceRegistry registry, AccessScope scope, string deviceGroupId, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DeviceGroupService.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var application = context.Application();
        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        var groupReach = await scope.ReachAsync(context, Permission.DeviceGroupsRead);
        var visible = await groups.GetAsync(application.Id, deviceGroupId, groupReach, context.RequestAborted);
        if (!visible.Succeeded)
        {
            return ApiError.From(visible.Problem);
        }

        var page = await groups.MembersAsync(application.Id, deviceGroupId, reach, after, pageSize, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Devices.Select(d => DeviceJson.ToResponse(d, registry.IsConnected(application.Id, d.Id))).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static IResult Answer(Outcome<DeviceGroup> outcome) =>
        outcome.Succeeded ? Results.Json(DeviceGroupJson.ToResponse(outcome.Value)) : ApiError.From(outcome.Problem);

    private static string? IfMatch(HttpContext context, string? bodyETag) => context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? bodyETag;
}
