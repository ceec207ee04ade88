using Centrum.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<TelemetryOptions>(configuration, TelemetryOptions.Section);
        services.AddMetrics();
        services.AddSingleton<TelemetryMetrics>();
        services.AddSingleton<TelemetryIngest>();
        services.AddSingleton<TelemetryQueries>();
        services.AddSectionOptions<Query.QueryOptions>(configuration, Query.QueryOptions.Section);
        services.AddSingleton<Query.QueryService>();
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
        return services;
    }
}
