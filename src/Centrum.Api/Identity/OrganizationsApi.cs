using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Identity.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Identity;

/// <summary>
/// IoT Central's organizations (IoT Central REST API reference, "Organizations"). A caller limited to organizations sees and manages
/// only its own subtree, and may create organizations only below it.
/// </summary>
public static class OrganizationsApi
{
    public static RouteGroupBuilder MapOrganizationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organizations", ListAsync).RequirePermission(Permission.OrganizationsRead);
        api.MapGet("/organizations/{organizationId}", GetAsync).RequirePermission(Permission.OrganizationsRead);
        api.MapPut("/organizations/{organizationId}", (HttpContext c, OrganizationService o, string organizationId) => SaveAsync(c, o, organizationId, patch: false)).RequirePermission(Permission.OrganizationsManage);
        api.MapPatch("/organizations/{organizationId}", (HttpContext c, OrganizationService o, string organizationId) => SaveAsync(c, o, organizationId, patch: true)).RequirePermission(Permission.OrganizationsManage);
        api.MapDelete("/organizations/{organizationId}", DeleteAsync).RequirePermission(Permission.OrganizationsManage);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, OrganizationService organizations, AccessScope scope)
    {
        var reach = await scope.OrganizationsAsync(context.User, Permission.OrganizationsRead, context.RequestAborted);
        var all = await organizations.ListAsync(context.Application().Id, context.RequestAborted);
        return Results.Json(new { value = all.Where(o => reach is null || reach.Contains(o.Id)).Select(ToJson) });
    }

    private static async Task<IResult> GetAsync(HttpContext context, OrganizationService organizations, AccessScope scope, string organizationId)
    {
        var reach = await scope.OrganizationsAsync(context.User, Permission.OrganizationsRead, context.RequestAborted);
        var organization = await organizations.GetAsync(context.Application().Id, organizationId, context.RequestAborted);
        return organization is null || (reach is not null && !reach.Contains(organizationId)) ? NotFound(organizationId) : Answer(context, organization);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, OrganizationService organizations, string organizationId, bool patch)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var application = context.Application().Id;
        var current = await organizations.GetAsync(application, organizationId, context.RequestAborted);
        if (patch && current is null)
        {
            return NotFound(organizationId);
        }

        var merged = patch ? JsonMergePatch.Apply(new JsonObject { ["displayName"] = current!.DisplayName, ["parent"] = current.Parent }, body) : body;
        if (merged is not JsonObject obj || obj.Any(p => p.Key is not ("id" or "displayName" or "parent"))
            || obj["displayName"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String
            || (obj["parent"] is { } parent && (parent is not JsonValue p || p.GetValueKind() != JsonValueKind.String)))
        {
            return ApiError.BadRequest("The body must be {\"displayName\": string, \"parent\": string (optional)}.");
        }

        // Organizations_Update declares If-Match (IoT Central REST API 2022-07-31); the etag is the ETag header of a read.
        var ifMatch = context.Request.Headers.IfMatch.FirstOrDefault()?.Trim().Trim('"');
        var saved = await organizations.SaveAsync(
            application, organizationId, (string)name!, (string?)obj["parent"], await context.HoldingsAsync(), context.RequestAborted, ifMatch);
        return saved.Succeeded ? Answer(context, saved.Value) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, OrganizationService organizations, string organizationId)
    {
        var deleted = await organizations.DeleteAsync(context.Application().Id, organizationId, await context.HoldingsAsync(), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    /// <summary>The organization, with its etag in the ETag header: IoT Central's Organization schema has no etag member.</summary>
    private static IResult Answer(HttpContext context, Organization organization)
    {
        context.Response.Headers.ETag = $"\"{organization.ETag}\"";
        return Results.Json(ToJson(organization));
    }

    private static JsonObject ToJson(Organization organization)
    {
        var json = new JsonObject { ["id"] = organization.Id, ["displayName"] = organization.DisplayName };
        if (organization.Parent is not null)
        {
            json["parent"] = organization.Parent;
        }

        return json;
    }

    private static IResult NotFound(string id) => ApiError.From(OrganizationService.NotFound(id));
}
