using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Organizations;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Devices;

/// <summary>
/// IoT Central's gateway relationships (REST API 2022-07-31, "Devices": <c>Devices_ListRelationships</c>,
/// <c>Devices_GetRelationship</c>, <c>Devices_CreateRelationship</c>, <c>Devices_UpdateRelationship</c>,
/// <c>Devices_RemoveRelationship</c>), answered as the published <c>devices_relationships_*.json</c> examples show. Reading
/// them needs the devices' read permission, changing them the devices' update permission; the rules are
/// <see cref="DeviceRelationships"/>'.
/// </summary>
public static class RelationshipsApi
{
    public static RouteGroupBuilder MapRelationshipsApi(this RouteGroupBuilder api)
    {
        var relationships = api.MapGroup("/devices/{deviceId}/relationships");
        relationships.MapGet("/", ListAsync).RequirePermission(Permission.DevicesRead);
        relationships.MapGet("/{relationshipId}", GetAsync).RequirePermission(Permission.DevicesRead);
        relationships.MapPut("/{relationshipId}", CreateAsync).RequirePermission(Permission.DevicesUpdate);
        relationships.MapPatch("/{relationshipId}", UpdateAsync).RequirePermission(Permission.DevicesUpdate);
        relationships.MapDelete("/{relationshipId}", DeleteAsync).RequirePermission(Permission.DevicesUpdate);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DeviceRelationships relationships, AccessScope scope, string deviceId, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DeviceRelationships.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        var page = await relationships.ListAsync(context.Application().Id, deviceId, pageSize, after, reach, context.RequestAborted);
        return page.Succeeded
            ? Paging.Page(context, page.Value.Relationships.Select(ToJson).ToList(), page.Value.ContinueAfter)
            : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeviceRelationships relationships, AccessScope scope, string deviceId, string relationshipId)
    {
        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        return Answer(await relationships.GetAsync(context.Application().Id, deviceId, relationshipId, reach, context.RequestAborted));
    }

    private static Task<IResult> CreateAsync(HttpContext context, DeviceRelationships relationships, AccessScope scope, string deviceId, string relationshipId) =>
        WriteAsync(context, scope, relationshipId, (source, target, reach) =>
            relationships.CreateOrReplaceAsync(context.Application().Id, deviceId, relationshipId, source, target, reach, context.RequestAborted));

    private static Task<IResult> UpdateAsync(HttpContext context, DeviceRelationships relationships, AccessScope scope, string deviceId, string relationshipId) =>
        WriteAsync(context, scope, relationshipId, (source, target, reach) =>
            relationships.UpdateAsync(context.Application().Id, deviceId, relationshipId, source, target, reach, context.RequestAborted));

    /// <summary>A PUT or PATCH: the body read as a <c>DeviceRelationship</c>, then the write within the caller's reach.</summary>
    private static async Task<IResult> WriteAsync(
        HttpContext context, AccessScope scope, string relationshipId, Func<string?, string?, OrganizationReach, Task<Outcome<DeviceRelationship>>> write)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!TryRead(body, relationshipId, out var source, out var target, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        return Answer(await write(source, target, await scope.ReachAsync(context, Permission.DevicesUpdate)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceRelationships relationships, AccessScope scope, string deviceId, string relationshipId)
    {
        var reach = await scope.ReachAsync(context, Permission.DevicesUpdate);
        var deleted = await relationships.DeleteAsync(context.Application().Id, deviceId, relationshipId, reach, context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    /// <summary>
    /// A <c>DeviceRelationship</c> body: <c>source</c> and <c>target</c> as device ids, a read-only <c>id</c> that may only
    /// repeat the path's, nothing else. In a merge patch a member set to null would remove an end, which a relationship
    /// cannot lose, so null is refused as a non-string.
    /// </summary>
    private static bool TryRead(JsonNode? body, string relationshipId, out string? source, out string? target, out string? error)
    {
        source = null;
        target = null;
        if (!StrictJson.TryObject(body, out var obj, out error))
        {
            return false;
        }

        foreach (var (name, value) in obj)
        {
            var ok = name switch
            {
                "id" => StrictJson.TryId(value, relationshipId, "relationship", out error),
                "source" => TryEnd(name, value, out source, out error),
                "target" => TryEnd(name, value, out target, out error),
                _ => StrictJson.Fail(StrictJson.Unknown(name, "relationship"), out error),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryEnd(string name, JsonNode? value, out string? deviceId, out string? error)
    {
        if (value is null)
        {
            deviceId = null;
            error = $"Field '{name}' must be a device id.";
            return false;
        }

        return StrictJson.TryString(name, value, out deviceId, out error);
    }

    private static IResult Answer(Outcome<DeviceRelationship> outcome) =>
        outcome.Succeeded ? Results.Json(ToJson(outcome.Value)) : ApiError.From(outcome.Problem);

    private static object ToJson(DeviceRelationship r) => new { id = r.Id, source = r.Source, target = r.Target };
}
