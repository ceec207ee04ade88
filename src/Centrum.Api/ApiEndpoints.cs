using Centrum.Api.Commands;
using Centrum.Api.Dashboards;
using Centrum.Api.Devices;
using Centrum.Api.Export;
using Centrum.Api.Groups;
using Centrum.Api.Jobs;
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
            // IoT Central leaves out members it has no value for (an X.509 attestation without a secondary
            // certificate, a device never connected): none of its published 2022-07-31 examples writes a member as
            // null except a job's property value. Nulls inside JSON documents (property values, twins) are kept;
            // a top-level member that is JSON null, such as a command's null request, is left out.
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.MaxDepth = Infrastructure.JsonBody.MaxDepth;
            o.SerializerOptions.Converters.Add(new Infrastructure.IotCentralTime());
        });
        return services;
    }

    /// <summary>The public REST API under <c>/api</c>, in IoT Central's shape (api-version 2022-07-31).</summary>
    public static IEndpointRouteBuilder MapCentrumApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").AddEndpointFilter<ApiRequestFilter>().AddEndpointFilter<DeviceScopeFilter>();
        api.MapDevicesApi();
        api.MapRelationshipsApi();
        api.MapPropertiesApi();
        api.MapCommandsApi();
        api.MapEnrollmentGroupsApi();
        api.MapAttestationApi();
        api.MapDeviceTemplatesApi();
        api.MapDeviceGroupsApi();
        api.MapDeploymentManifestsApi();
        api.MapFileUploadsApi();
        api.MapJobsApi();
        api.MapScheduledJobsApi();
        api.MapDashboardsApi();
        api.MapQueryApi();
        api.MapApiTokensApi();
        api.MapDataExportApi();
        api.MapAuditLogApi();
        api.MapUsersApi();
        api.MapOrganizationsApi();
        endpoints.MapAccountEndpoints();
        endpoints.MapDpsHttps();
        endpoints.MapEdgeRegistryHttps();
        endpoints.MapEdgeScopeHttps();
        return endpoints;
    }
}
