using Centrum.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Simulation;

public static class SimulationServiceCollectionExtensions
{
    /// <summary>
    /// Simulated devices: the creation service, the first-run demo and the supervisor that runs them. The host
    /// registers the <see cref="SimulationEndpoint"/> they dial, since only it knows its listeners and certificate.
    /// </summary>
    public static IServiceCollection AddCentrumSimulation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<SimulationOptions>(configuration, SimulationOptions.Section);
        services.AddSingleton<SimulationTelemetry>().AddSingleton<SimulatedDevices>().AddSingleton<SimulationDemo>();
        services.AddSingleton<SimulationSupervisor>();
        return services.AddHostedService(sp => sp.GetRequiredService<SimulationSupervisor>());
    }
}
