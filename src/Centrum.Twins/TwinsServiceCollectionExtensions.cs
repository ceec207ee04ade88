using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Twins;

public static class TwinsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumTwins(this IServiceCollection services) =>
        services.AddSingleton<TwinService>().AddSingleton<PropertyService>().AddSingleton<DeploymentManifests>();
}
