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

/// <summary>IoT Central's API tokens and roles (INVENTORY.md §3 "API tokens", "Roles").</summary>
public static partial class ApiTokensApi
{
    public static RouteGroupBuilder MapApiTokensApi(this RouteGroupBuilder api)
    {
        api.MapGet("/apiTokens", ListAsync).RequirePermission(Permission.ApiTokensRead);
        api.MapGet("/apiTokens/{tokenId}", GetAsync).RequirePermission(Permission.ApiTokensRead);
        api.MapPut("/apiTokens/{tokenId}", CreateAsync).RequirePermission(Permission.ApiTokensManage);
        api.MapDelete("/apiTokens/{tokenId}", DeleteAsync).RequirePermission(Permission.ApiTokensManage);
        api.MapGet("/roles", () => Results.Json(new { value = RoleNames.BuiltIn.Select(r => new { id = r.Id, displayName = r.DisplayName }) }))
            .RequirePermission(Permission.DevicesRead);
        api.MapGet("/roles/{roleId}", (string roleId) => RoleNames.BuiltIn.FirstOrDefault(r => r.Id == roleId) is { Id: not null } role
                ? Results.Json(new { id = role.Id, displayName = role.DisplayName })
                : ApiError.NotFound($"Role '{roleId}' was not found."))
            .RequirePermission(Permission.DevicesRead);
        return api;
    }

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
            var created = await tokens.CreateAsync(context.Application().Id, tokenId, assignments, expiry, context.RequestAborted);
            return Results.Json(new { id = created.Id, roles = created.Roles.Select(RoleJson), expiry = created.Expiry, token = created.Token });
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

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiTokenService tokens, string tokenId) =>
        await tokens.DeleteAsync(context.Application().Id, tokenId, context.RequestAborted)
            ? Results.NoContent()
            : ApiError.NotFound($"API token '{tokenId}' was not found.");

    /// <summary>The secret is never shown again after its creation.</summary>
    private static object ToJson(ApiToken token) => new { id = token.Id, roles = token.Roles.Select(RoleJson), expiry = token.Expiry };

    private static object RoleJson(RoleAssignment r) => r.Organization is null ? new { role = r.Role } : new { role = r.Role, organization = (string?)r.Organization };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TokenIdRegex();
}
