using Centrum.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Dashboards;

public static class DashboardsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumDashboards(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<DashboardsOptions>(configuration, DashboardsOptions.Section);
        services.AddSingleton<DashboardService>();
        services.AddSingleton<SavedQueryService>();
        services.AddSingleton<HomeDashboardService>();
        return services;
    }
}
