using Centrum.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Commands;

public static class CommandsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumCommands(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<CommandOptions>(configuration, CommandOptions.Section);
        return services.AddSingleton<CommandService>().AddSingleton<CloudToDeviceQueue>();
    }
}
