using Centrum.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>Answers refused requests in IoT Central's error shape: 401 without a valid token, 403 without the permission.</summary>
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
            return ApiError.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The caller's roles do not allow this operation.");
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
