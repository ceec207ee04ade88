using Centrum.Api.Commands;
using Centrum.Api.Devices;
using Centrum.Api.Export;
using Centrum.Api.Properties;
using Centrum.Api.Identity;
using Centrum.Api.Provisioning;
using Centrum.Api.Query;
using Centrum.Api.Templates;
using Centrum.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Api;

public static class ApiEndpoints
{
    public static IServiceCollection AddCentrumApi(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddSingleton<ApiRequestFilter>();
        services.AddSingleton<DeviceScopeFilter>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
            o.SerializerOptions.MaxDepth = Infrastructure.JsonBody.MaxDepth;
        });
        return services;
    }

    /// <summary>The public REST API under <c>/api</c>, in IoT Central's shape (api-version 2022-07-31).</summary>
    public static IEndpointRouteBuilder MapCentrumApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").AddEndpointFilter<ApiRequestFilter>().AddEndpointFilter<DeviceScopeFilter>();
        api.MapDevicesApi();
        api.MapPropertiesApi();
        api.MapCommandsApi();
        api.MapEnrollmentGroupsApi();
        api.MapAttestationApi();
        api.MapDeviceTemplatesApi();
        api.MapQueryApi();
        api.MapApiTokensApi();
        api.MapDataExportApi();
        api.MapAuditLogApi();
        api.MapUsersApi();
        api.MapOrganizationsApi();
        endpoints.MapAccountEndpoints();
        endpoints.MapDpsHttps();
        return endpoints;
    }
}
