using Centrum.Hosting;
using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Provisioning.Registration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Provisioning;

public static class ProvisioningServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumProvisioning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<ProvisioningOptions>(configuration, ProvisioningOptions.Section);
        services.AddSingleton<EnrollmentGroupService>();
        services.AddSingleton<DeviceCertificates>();
        services.AddSingleton<RegistrationService>();
        return services;
    }
}
