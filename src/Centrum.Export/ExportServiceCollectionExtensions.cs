using Centrum.Export.Destinations;
using Centrum.Export.Destinations.AzureMessaging;
using Centrum.Export.Destinations.BlobStorage;
using Centrum.Export.Destinations.Nats;
using Centrum.Export.Destinations.Webhook;
using Centrum.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Centrum.Export;

public static class ExportServiceCollectionExtensions
{
    /// <summary>Continuous data export: definitions, destinations, and the runner that delivers them.</summary>
    public static IServiceCollection AddCentrumExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<ExportOptions>(configuration, ExportOptions.Section);
        services.AddMetrics();
        services.AddExportDestinations();
        services.AddSingleton<ExportMetrics>();
        services.AddSingleton<ExportStatusBoard>();
        services.AddSingleton<DataExportService>();
        services.AddSingleton<ExportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportRunner>());
        return services;
    }

    /// <summary>
    /// Registers the export destination types (<c>webhook@v1</c>, <c>blobstorage@v1</c>, <c>eventhubs@v1</c>,
    /// <c>servicebusqueue@v1</c>, <c>servicebustopic@v1</c>, <c>nats@v1</c>) as
    /// <see cref="IDestinationType"/> and their registry, <see cref="DestinationTypes"/>.
    /// </summary>
    public static IServiceCollection AddExportDestinations(this IServiceCollection services)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions();
        services.TryAddSingleton<DestinationReach>();
        // TryAddEnumerable: a second call must not register a type twice, which the registry would refuse.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, WebhookDestinationType>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, BlobStorageDestinationType>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, EventHubsDestinationType>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, ServiceBusQueueDestinationType>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, ServiceBusTopicDestinationType>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationType, NatsDestinationType>());
        services.TryAddSingleton<DestinationTypes>();
        return services;
    }
}
