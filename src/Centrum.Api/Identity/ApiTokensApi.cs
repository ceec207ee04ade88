using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Identity;

/// <summary>IoT Central's API tokens and roles (IoT Central REST API reference, "API Tokens", "Roles").</summary>
public static class ApiTokensApi
{
    public static RouteGroupBuilder MapApiTokensApi(this RouteGroupBuilder api)
    {
        api.MapGet("/apiTokens", ListAsync).RequirePermission(Permission.ApiTokensRead);
        api.MapGet("/apiTokens/{tokenId}", GetAsync).RequirePermission(Permission.ApiTokensRead);
        api.MapPut("/apiTokens/{tokenId}", CreateAsync).RequirePermission(Permission.ApiTokensManage);
        api.MapDelete("/apiTokens/{tokenId}", DeleteAsync).RequirePermission(Permission.ApiTokensManage);
        api.MapGet("/roles", async (HttpContext context, RoleCatalog roles) =>
                Results.Json(new { value = (await roles.ListAsync(context.Application().Id, context.RequestAborted)).Select(RoleJson) }))
            .RequirePermission(Permission.RolesRead);
        api.MapGet("/roles/{roleId}", async (HttpContext context, RoleCatalog roles, string roleId) =>
                await roles.GetAsync(context.Application().Id, roleId, context.RequestAborted) is { } role ? Results.Json(RoleJson(role)) : RoleNotFound(roleId))
            .RequirePermission(Permission.RolesRead);
        api.MapPut("/roles/{roleId}", SaveRoleAsync).RequirePermission(Permission.RolesManage);
        api.MapDelete("/roles/{roleId}", async (HttpContext context, RoleCatalog roles, string roleId) =>
            {
                var deleted = await roles.DeleteAsync(context.Application().Id, roleId, await context.HoldingsAsync(), context.RequestAborted);
                return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
            })
            .RequirePermission(Permission.RolesManage);
        return api;
    }

    /// <summary>Centrum's own: a custom role from IoT Central's permissions, assigned application-wide or within organizations.</summary>
    private static async Task<IResult> SaveRoleAsync(HttpContext context, RoleCatalog roles, string roleId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj || obj.Any(p => p.Key is not ("id" or "displayName" or "scope" or "permissions"))
            || obj["displayName"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String
            || obj["permissions"] is not JsonArray list || list.Any(p => p is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            return ApiError.BadRequest("The body must be {\"displayName\": string, \"scope\": \"application\"|\"organization\", \"permissions\": [names]}.");
        }

        var scope = obj["scope"] is null ? RoleCatalog.ApplicationScope : obj["scope"]!.GetValueKind() == JsonValueKind.String ? (string)obj["scope"]! : "";

        var permissions = new List<Permission>();
        foreach (var item in list)
        {
            if (RoleCatalog.Parse((string)item!) is not { } permission)
            {
                return ApiError.BadRequest($"permissions: '{(string)item!}' is not a permission; use {string.Join(", ", Enum.GetValues<Permission>().Select(RoleCatalog.Name))}.");
            }

            permissions.Add(permission);
        }

        var saved = await roles.SaveAsync(context.Application().Id, roleId, (string)name!, scope, permissions, await context.HoldingsAsync(), context.RequestAborted);
        return saved.Succeeded ? Results.Json(RoleJson(saved.Value)) : ApiError.From(saved.Problem);
    }

    private static JsonObject RoleJson(Role role) => new()
    {
        ["id"] = role.Id,
        ["displayName"] = role.DisplayName,
        ["scope"] = role.Scope,
        ["permissions"] = new JsonArray(role.Permissions.Select(p => (JsonNode)RoleCatalog.Name(p)).ToArray()),
    };

    private static IResult RoleNotFound(string roleId) => ApiError.From(RoleCatalog.NotFound(roleId));

    private static async Task<IResult> ListAsync(HttpContext context, ApiTokenService tokens) =>
        Results.Json(new { value = (await tokens.ListAsync(context.Application().Id, context.RequestAborted)).Select(ToJson) });

    private static async Task<IResult> GetAsync(HttpContext context, ApiTokenService tokens, string tokenId) =>
        await tokens.GetAsync(context.Application().Id, tokenId, context.RequestAborted) is { } token
            ? Results.Json(ToJson(token))
            : ApiError.From(ApiTokenService.NotFound(tokenId));

    private static async Task<IResult> CreateAsync(HttpContext context, ApiTokenService tokens, string tokenId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj || obj["roles"] is not JsonArray roles || roles.Count == 0)
        {
            return ApiError.BadRequest("The body must be an ApiToken with at least one role assignment in 'roles'.");
        }

        var assignments = new List<RoleAssignment>();
        foreach (var entry in roles)
        {
            if (entry is not JsonObject assignment || assignment["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String)
            {
                return ApiError.BadRequest("Each role assignment is {\"role\": \"<role id>\"[, \"organization\": \"<id>\"]}.");
            }

            assignments.Add(new RoleAssignment(role.GetValue<string>(), (string?)assignment["organization"]));
        }

        DateTimeOffset? expiry = null;
        if (obj["expiry"] is JsonValue expiryValue)
        {
            if (expiryValue.GetValueKind() != JsonValueKind.String || !DateTimeOffset.TryParse(expiryValue.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ApiError.BadRequest("Field 'expiry' must be an ISO 8601 time.");
            }

            expiry = parsed;
        }

        var created = await tokens.CreateAsync(context.Application().Id, tokenId, assignments, expiry, await context.HoldingsAsync(), context.RequestAborted);
        return created.Succeeded
            ? Results.Json(new { id = created.Value.Id, roles = created.Value.Roles.Select(RoleJson), expiry = created.Value.Expiry, token = created.Value.Token })
            : ApiError.From(created.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiTokenService tokens, string tokenId)
    {
        var revoked = await tokens.DeleteAsync(context.Application().Id, tokenId, await context.HoldingsAsync(), context.RequestAborted);
        return revoked.Succeeded ? Results.NoContent() : ApiError.From(revoked.Problem);
    }

    /// <summary>The secret is never shown again after its creation.</summary>
    private static object ToJson(ApiToken token) => new { id = token.Id, roles = token.Roles.Select(RoleJson), expiry = token.Expiry };

    private static object RoleJson(RoleAssignment r) => r.Organization is null ? new { role = r.Role } : new { role = r.Role, organization = (string?)r.Organization };
}
