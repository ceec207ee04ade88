using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Groups;

public static class GroupsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumGroups(this IServiceCollection services)
    {
        services.AddSingleton<DeviceGroupService>();
        return services;
    }
}
