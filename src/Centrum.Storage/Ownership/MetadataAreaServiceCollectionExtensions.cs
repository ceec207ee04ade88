using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Centrum.Storage.Ownership;

public static class MetadataAreaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <paramref name="area"/> as an owner of metadata tables: its entity configurations go into the model and
    /// each <see cref="IAreaData"/> it implements is asked on every device or application deletion. Registering an
    /// assembly twice adds it once.
    /// </summary>
    public static IServiceCollection AddMetadataArea(this IServiceCollection services, Assembly area)
    {
        ArgumentNullException.ThrowIfNull(area);
        if (services.Any(d => d.ServiceType == typeof(MetadataArea) && ((MetadataArea?)d.ImplementationInstance)?.Assembly == area))
        {
            return services;
        }

        // Not TryAddEnumerable: it tells instances apart by their type only, and every area is a MetadataArea.
        services.AddSingleton(new MetadataArea(area));
        foreach (var type in area.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAreaData).IsAssignableFrom(t)))
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IAreaData), type));
        }

        return services;
    }
}
