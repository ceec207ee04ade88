using System.Reflection;
using Centrum.Storage.Ownership;

namespace Centrum.Server.Hosting;

/// <summary>
/// The areas that own tables of the metadata store (docs/architecture.md, "Table ownership"), one assembly each. The
/// server, the command line, the design-time factory and the tests all compose the model from this one list, so the
/// model is the same whichever of them builds it, whatever other services they add.
/// </summary>
internal static class MetadataAreas
{
    public static readonly IReadOnlyList<Assembly> All =
    [
        typeof(Storage.CentrumDbContext).Assembly,
        typeof(Identity.IdentityServiceCollectionExtensions).Assembly,
        typeof(Devices.DeviceRegistry).Assembly,
        typeof(Gateway.GatewayServiceCollectionExtensions).Assembly,
        typeof(Twins.TwinService).Assembly,
        typeof(Templates.DeviceTemplateService).Assembly,
        typeof(Provisioning.ProvisioningServiceCollectionExtensions).Assembly,
        typeof(Commands.CommandService).Assembly,
        typeof(Export.DataExportService).Assembly,
        typeof(Groups.DeviceGroupService).Assembly,
        typeof(Jobs.JobService).Assembly,
        typeof(Dashboards.DashboardService).Assembly,
    ];

    public static IServiceCollection AddMetadataAreas(this IServiceCollection services)
    {
        foreach (var area in All)
        {
            services.AddMetadataArea(area);
        }

        return services;
    }
}
