using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Centrum.Api.Infrastructure;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Identity;

/// <summary>IoT Central's API tokens and roles (IoT Central REST API reference, "API Tokens", "Roles").</summary>
public static partial class ApiTokensApi
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
                var (deleted, conflict, refused) = await roles.DeleteAsync(context.Application().Id, roleId, await context.HoldingsAsync(), context.RequestAborted);
                return refused is not null ? Grants.Refused(refused) : conflict is not null ? ApiError.Conflict(conflict) : deleted ? Results.NoContent() : RoleNotFound(roleId);
            })
            .RequirePermission(Permission.RolesManage);
        return api;
    }

    /// <summary>Centrum's own: a custom role from IoT Central's permissions, assigned application-wide or within organizations.</summary>
    private static async Task<IResult> SaveRoleAsync(HttpContext context, RoleCatalog roles, string roleId)
    {
        if (!RoleIdRegex().IsMatch(roleId))
        {
            return ApiError.BadRequest("Role ids have 1 to 64 letters, digits and '-'.");
        }

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

        var scope = obj["scope"] is null ? RoleCatalog.ApplicationScope : obj["scope"]!.GetValueKind() == JsonValueKind.String ? (string)obj["scope"]! : null;
        if (scope is not (RoleCatalog.ApplicationScope or RoleCatalog.OrganizationScope))
        {
            return ApiError.BadRequest("scope: 'application' or 'organization'.");
        }

        var permissions = new List<Permission>();
        foreach (var item in list)
        {
            if (RoleCatalog.Parse((string)item!) is not { } permission)
            {
                return ApiError.BadRequest($"permissions: '{(string)item!}' is not a permission; use {string.Join(", ", Enum.GetValues<Permission>().Select(RoleCatalog.Name))}.");
            }

            permissions.Add(permission);
        }

        var (role, invalid, refused) = await roles.SaveAsync(context.Application().Id, roleId, (string)name!, scope, permissions, await context.HoldingsAsync(), context.RequestAborted);
        return refused is not null ? Grants.Refused(refused) : invalid is not null ? ApiError.BadRequest(invalid) : Results.Json(RoleJson(role!));
    }

    private static JsonObject RoleJson(Role role) => new()
    {
        ["id"] = role.Id,
        ["displayName"] = role.DisplayName,
        ["scope"] = role.Scope,
        ["permissions"] = new JsonArray(role.Permissions.Select(p => (JsonNode)RoleCatalog.Name(p)).ToArray()),
    };

    private static IResult RoleNotFound(string roleId) => ApiError.NotFound($"Role '{roleId}' was not found.");

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex RoleIdRegex();

    private static async Task<IResult> ListAsync(HttpContext context, ApiTokenService tokens) =>
        Results.Json(new { value = (await tokens.ListAsync(context.Application().Id, context.RequestAborted)).Select(ToJson) });

    private static async Task<IResult> GetAsync(HttpContext context, ApiTokenService tokens, string tokenId) =>
        await tokens.GetAsync(context.Application().Id, tokenId, context.RequestAborted) is { } token
            ? Results.Json(ToJson(token))
            : ApiError.NotFound($"API token '{tokenId}' was not found.");

    private static async Task<IResult> CreateAsync(HttpContext context, ApiTokenService tokens, string tokenId)
    {
        if (!TokenIdRegex().IsMatch(tokenId))
        {
            return ApiError.BadRequest("API token ids have 1 to 64 letters, digits, '-' or '_'.");
        }

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

        try
        {
            var created = await tokens.CreateAsync(context.Application().Id, tokenId, assignments, expiry, await context.HoldingsAsync(), context.RequestAborted);
            return Results.Json(new { id = created.Id, roles = created.Roles.Select(RoleJson), expiry = created.Expiry, token = created.Token });
        }
        catch (GrantRefusedException ex)
        {
            return Grants.Refused(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return ApiError.BadRequest(ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return ApiError.Conflict(ex.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiTokenService tokens, string tokenId)
    {
        try
        {
            return await tokens.DeleteAsync(context.Application().Id, tokenId, await context.HoldingsAsync(), context.RequestAborted)
                ? Results.NoContent()
                : ApiError.NotFound($"API token '{tokenId}' was not found.");
        }
        catch (GrantRefusedException ex)
        {
            return Grants.Refused(ex.Message);
        }
    }

    /// <summary>The secret is never shown again after its creation.</summary>
    private static object ToJson(ApiToken token) => new { id = token.Id, roles = token.Roles.Select(RoleJson), expiry = token.Expiry };

    private static object RoleJson(RoleAssignment r) => r.Organization is null ? new { role = r.Role } : new { role = r.Role, organization = (string?)r.Organization };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TokenIdRegex();
}
