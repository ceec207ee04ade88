using Centrum.Devices;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Runs for every REST operation on one device (a <c>{deviceId}</c> route): a caller whose permission reaches only
/// some organizations sees a device outside them as not there (404), for reads, writes, commands and telemetry alike.
/// </summary>
internal sealed class DeviceScopeFilter(AccessScope scope, DeviceRegistry registry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.RouteValues["deviceId"] is not string deviceId || http.GetEndpoint()?.Metadata.GetMetadata<RequiredPermission>() is not { } required)
        {
            return await next(context);
        }

        var reach = await scope.ReachAsync(http, required.Permission);
        if (reach.IsWholeApplication)
        {
            return await next(context);
        }

        // A device that does not exist passes: the operation itself answers for it (a PUT creates it).
        return await registry.GetAsync(http.Application().Id, deviceId, http.RequestAborted) is { } device && !reach.Reaches(device.Organizations)
            ? ApiError.NotFound($"Device '{deviceId}' was not found.")
            : await next(context);
    }
}
