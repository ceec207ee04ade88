using Centrum.Hosting;
using Centrum.Jobs.Execution;
using Centrum.Jobs.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Jobs;

public static class JobsServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<JobsOptions>(configuration, JobsOptions.Section);
        services.AddSingleton<ScheduleSignals>().AddSingleton<ScheduledJobService>().AddHostedService<JobScheduler>();
        return services.AddSingleton<JobSignals>().AddSingleton<JobAdmission>().AddSingleton<JobService>();
    }
}
