using Centrum.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Answers refused requests in IoT Central's error shape: 401 without a valid token, 403 without the permission. Deny by
/// default reaches here for requests no operation matches: an authenticated caller learns 404 (no such path) or 405
/// (the path exists, the method does not), so a script does not conclude it lacks a role; a caller without a valid
/// token gets 401 for every path and learns nothing about which exist.
/// </summary>
internal sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var reason = context.Items.TryGetValue(IdentityItems.AuthenticationFailure, out var failure) && failure is string text
                ? text
                : "The request has no valid authorization: send an API token as 'Authorization: SharedAccessSignature …'.";
            context.Response.Headers.WWWAuthenticate = "SharedAccessSignature";
            return ApiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", reason);
        }

        if (authorizeResult.Forbidden)
        {
            return context.GetEndpoint() switch
            {
                null => ApiError.WriteAsync(context, StatusCodes.Status404NotFound, "NotFound", $"No operation exists at '{context.Request.Path}'."),
                { DisplayName: MethodNotAllowedEndpoint } rejection => MethodNotAllowedAsync(context, rejection),
                _ => ApiError.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The caller's roles do not allow this operation."),
            };
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// The display name ASP.NET Core's routing gives the endpoint it selects when a path matches but no operation accepts
    /// the method (HttpMethodMatcherPolicy); a test against the real server holds this name to the framework's.
    /// </summary>
    private const string MethodNotAllowedEndpoint = "405 HTTP Method Not Supported";

    /// <summary>Lets routing's own 405 endpoint set the <c>Allow</c> header, then writes the error body it leaves empty.</summary>
    private static async Task MethodNotAllowedAsync(HttpContext context, Endpoint rejection)
    {
        await rejection.RequestDelegate!(context);
        var allowed = context.Response.Headers.Allow.ToString();
        await ApiError.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed",
            $"The operation at '{context.Request.Path}' does not accept {context.Request.Method}; it accepts {allowed}.");
    }
}
