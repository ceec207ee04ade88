using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Identity;

/// <summary>IoT Central's users: email users, service principals and directory groups with role assignments (IoT Central REST API reference, "Users").</summary>
public static class UsersApi
{
    /// <summary>The members of IoT Central's <c>User</c> that are strings whatever the user type.</summary>
    private static readonly string[] TextMembers = ["id", "email", "tenantId", "objectId", "etag"];

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users", ListAsync).RequirePermission(Permission.UsersRead);
        api.MapGet("/users/{userId}", GetAsync).RequirePermission(Permission.UsersRead);
        api.MapPut("/users/{userId}", PutAsync).RequirePermission(Permission.UsersManage);
        api.MapPatch("/users/{userId}", PatchAsync).RequirePermission(Permission.UsersManage);
        api.MapDelete("/users/{userId}", DeleteAsync).RequirePermission(Permission.UsersManage);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, UserService users, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, UserService.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var (page, next) = await users.ListAsync(context.Application().Id, after, pageSize, context.RequestAborted);
        return Paging.Page(context, page.Select(ToJson).ToList(), next);
    }

    private static async Task<IResult> GetAsync(HttpContext context, UserService users, string userId) =>
        await users.GetAsync(context.Application().Id, userId, context.RequestAborted) is { } user ? Results.Json(ToJson(user)) : NotFound(userId);

    private static async Task<IResult> PutAsync(HttpContext context, UserService users, string userId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        return error ?? await SaveAsync(context, users, userId, body, context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"'));
    }

    private static async Task<IResult> PatchAsync(HttpContext context, UserService users, string userId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var current = await users.GetAsync(context.Application().Id, userId, context.RequestAborted);
        if (current is null)
        {
            return NotFound(userId);
        }

        if (body is not JsonObject)
        {
            return ApiError.BadRequest("The body must be a JSON object (a merge patch).");
        }

        var merged = JsonMergePatch.Apply(ToJson(current), body);
        return await SaveAsync(context, users, userId, merged, context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? current.ETag);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, UserService users, string userId, JsonNode? body, string? ifMatch)
    {
        if (Read(body) is not { } write)
        {
            return ApiError.BadRequest(Problem(body)!);
        }

        var saved = await users.SaveAsync(context.Application().Id, userId, write, ifMatch, await context.HoldingsAsync(), context.RequestAborted);
        return saved.Succeeded ? Results.Json(ToJson(saved.Value)) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, UserService users, string userId)
    {
        var deleted = await users.DeleteAsync(context.Application().Id, userId, await context.HoldingsAsync(), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    private static ApplicationUser? Read(JsonNode? body) => Problem(body) is null ? Parse((JsonObject)body!) : null;

    private static ApplicationUser Parse(JsonObject obj) => new(
        "", (string)obj["type"]!, (string?)obj["email"], (string?)obj["tenantId"], (string?)obj["objectId"],
        obj["roles"]!.AsArray().Select(r => new RoleAssignment((string)r!["role"]!, (string?)r["organization"])).ToList(), "");

    /// <summary>What is wrong with a user body, or null when it is a valid user of its type.</summary>
    private static string? Problem(JsonNode? body)
    {
        if (body is not JsonObject obj)
        {
            return "The body must be a JSON object.";
        }

        string[] members = ["id", "type", "email", "tenantId", "objectId", "roles", "etag"];
        if (obj.Select(p => p.Key).FirstOrDefault(k => !members.Contains(k)) is { } unknown)
        {
            return $"'{unknown}' is not a member of a user.";
        }

        if (obj["type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String)
        {
            return $"type: required, one of {string.Join(", ", UserService.Types)}.";
        }

        if (TextMembers.FirstOrDefault(m => obj[m] is { } v && v.GetValueKind() != JsonValueKind.String) is { } notText)
        {
            return $"{notText}: must be a string.";
        }

        if (obj["roles"] is not JsonArray roles || roles.Count == 0
            || roles.Any(r => r is not JsonObject role || role["role"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String || role.Any(p => p.Key is not ("role" or "organization"))
                || (role["organization"] is { } organization && organization.GetValueKind() != JsonValueKind.String)))
        {
            return "roles: a non-empty array of {\"role\", \"organization\"} is required.";
        }

        return null;
    }

    private static JsonObject ToJson(ApplicationUser user)
    {
        var json = new JsonObject { ["id"] = user.Id, ["type"] = user.Type };
        if (user.Type == "email")
        {
            json["email"] = user.Email;
        }
        else
        {
            json["tenantId"] = user.TenantId;
            json["objectId"] = user.ObjectId;
        }

        json["roles"] = new JsonArray(user.Roles.Select(r => (JsonNode)(r.Organization is null
            ? new JsonObject { ["role"] = r.Role }
            : new JsonObject { ["role"] = r.Role, ["organization"] = r.Organization })).ToArray());
        json["etag"] = user.ETag;
        return json;
    }

    private static IResult NotFound(string id) => ApiError.From(UserService.NotFound(id));
}
