using Centrum.Hosting;
using Centrum.Jobs.Execution;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Jobs;

public static class JobsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<JobsOptions>(configuration, JobsOptions.Section);
        services.AddSingleton<JobSignals>().AddSingleton<JobAdmission>().AddSingleton<JobService>().AddSingleton<JobsMetrics>();
        // One runner, reachable as itself (tests start and stop it) and run by the host.
        services.AddSingleton<JobRunner>();
        return services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
    }
}
