using System.Security.Claims;
using Centrum.Api.Internal;
using Centrum.Applications;
using Centrum.Identity.Audit;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Runs for every REST operation: requires a known api-version and resolves the caller's application. A token is only
/// good for its own application: a request addressed to another application's host name is refused. Every change
/// (POST, PUT, PATCH, DELETE) is written to the application's audit log as its answer starts, whatever the outcome.
/// </summary>
internal sealed class ApiRequestFilter(IApplicationCatalog applications, AuditLog audit, ILogger<ApiRequestFilter> logger) : IEndpointFilter
{
    public const string ApplicationItem = "centrum:application";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!ApiVersions.IsKnown(http.Request.Query["api-version"]))
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "InvalidApiVersion",
                $"The api-version query parameter is missing or not supported; use {ApiVersions.Stable} or {ApiVersions.Preview}.");
        }

        var applicationId = http.User.ApplicationId();
        var application = applicationId is null ? null : await applications.FindByIdAsync(applicationId, http.RequestAborted);
        if (application is null || application.Suspended)
        {
            return ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", "The application of this token does not exist or is suspended.");
        }

        var addressed = await applications.FindByHubHostAsync(http.Request.Host.Host, http.RequestAborted);
        if (addressed is not null && addressed.Id != application.Id)
        {
            return ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", "The token belongs to another application.");
        }

        http.Items[ApplicationItem] = application;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return await next(context);
        }

        // Recorded as the answer starts (its status is known), before the caller sees it: entries keep the order of
        // the answers, and no change is answered without its audit entry stored.
        http.Response.OnStarting(() => RecordAsync(http, application.Id));
        var result = await next(context);
        http.Items[DisplayNameItem] = DisplayName(result);
        return result;
    }

    private const string DisplayNameItem = "centrum:audit-display-name";

    /// <summary>The display name the answer gives the resource (a JSON object, a dictionary or an answer object with a displayName member), if any.</summary>
    private static string? DisplayName(object? result)
    {
        var value = (result as IValueHttpResult)?.Value;
        return value switch
        {
            null => null,
            System.Text.Json.Nodes.JsonObject json => json["displayName"] is System.Text.Json.Nodes.JsonValue name && name.TryGetValue(out string? text) ? text : null,
            IReadOnlyDictionary<string, object?> members => members.TryGetValue("displayName", out var name) ? name as string : null,
            _ => value.GetType().GetProperty("displayName")?.GetValue(value) as string,
        };
    }

    /// <summary>
    /// The audited resource's type as IoT Central's audit messages name it: the singular of the collection the path
    /// addresses (<c>/api/devices/{id}/properties</c> is a <c>device</c>; IoT Central docs "Export audit logs", whose
    /// example reads <c>"resource": {"type": "device"}</c>). Exports and destinations sit one level deeper, under
    /// <c>/api/dataExport</c>.
    /// </summary>
    internal static string ResourceType(string[] segments)
    {
        var collection = segments.Length switch
        {
            > 2 when segments[1] == "dataExport" => segments[2],
            > 1 => segments[1],
            _ => null,
        };
        return collection switch
        {
            null => "application",
            "exports" => "dataExport",
            _ when collection.EndsWith('s') => collection[..^1],
            _ => collection,
        };
    }

    private async Task RecordAsync(HttpContext http, string applicationId)
    {
        var method = http.Request.Method;
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern;
        var segments = http.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var resourceType = ResourceType(segments);
        var resourceId = route?.Parameters.Count > 0 ? http.Request.RouteValues[route.Parameters[0].Name]?.ToString() : null;
        var action = HttpMethods.IsDelete(method) ? "deleted" : HttpMethods.IsPost(method) && resourceId is null ? "created" : "updated";
        var token = http.User.FindFirst(CentrumClaims.TokenId)?.Value;
        var entry = new AuditEntry(
            action, token is null ? "user" : "apiToken", token ?? http.User.FindFirst(ClaimTypes.Email)?.Value ?? "", resourceType, resourceId, method,
            http.Request.Path.Value ?? "", http.Response.StatusCode, http.Connection.RemoteIpAddress?.ToString(),
            http.Response.StatusCode < 300 ? http.Items[DisplayNameItem] as string : null);
        try
        {
            await audit.RecordAsync(applicationId, entry, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.AuditFailed(logger, ex, method, entry.Path);
        }
    }
}

internal static class HttpContextApplicationExtensions
{
    public static Application Application(this HttpContext context) => (Application)context.Items[ApiRequestFilter.ApplicationItem]!;
}
