using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Commands;

public static class CommandsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumCommands(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CommandOptions>().Bind(configuration.GetSection(CommandOptions.Section));
        return services.AddSingleton<CommandService>().AddSingleton<CloudToDeviceQueue>();
    }
}
