using Centrum.Applications;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Runs for every REST operation: requires a known api-version and resolves the caller's application. A token is only
/// good for its own application: a request addressed to another application's host name is refused.
/// </summary>
internal sealed class ApiRequestFilter(IApplicationCatalog applications) : IEndpointFilter
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
        return await next(context);
    }
}

internal static class HttpContextApplicationExtensions
{
    public static Application Application(this HttpContext context) => (Application)context.Items[ApiRequestFilter.ApplicationItem]!;
}
