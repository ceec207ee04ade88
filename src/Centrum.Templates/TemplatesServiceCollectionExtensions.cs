using Centrum.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Templates;

public static class TemplatesServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumTemplates(this IServiceCollection services)
    {
        services.AddSingleton<DeviceTemplateService>();
        services.AddSingleton<DeviceModels>();
        services.AddSingleton<ITelemetryModel>(sp => sp.GetRequiredService<DeviceModels>());
        services.AddSingleton<ITemplateCatalog, TemplateCatalog>();
        services.AddSingleton<Query.TemplateQueryService>();
        return services;
    }
}
