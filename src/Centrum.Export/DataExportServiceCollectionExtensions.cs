using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Export;

public static class DataExportServiceCollectionExtensions
{
    /// <summary>Continuous data export: definitions, destinations, and the runner that delivers them.</summary>
    public static IServiceCollection AddCentrumExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExportOptions>().Bind(configuration.GetSection(ExportOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddExportDestinations();
        services.AddSingleton<ExportMetrics>();
        services.AddSingleton<ExportStatusBoard>();
        services.AddSingleton<DataExportService>();
        services.AddSingleton<ExportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportRunner>());
        return services;
    }
}
