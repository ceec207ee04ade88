using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<TelemetryMetrics>();
        services.AddSingleton<TelemetryIngest>();
        services.AddSingleton<TelemetryQueries>();
        services.AddOptions<Query.QueryOptions>().Bind(configuration.GetSection(Query.QueryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Query.QueryService>();
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
        return services;
    }
}
