using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Provisioning.Registration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Provisioning;

public static class ProvisioningServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumProvisioning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProvisioningOptions>().Bind(configuration.GetSection(ProvisioningOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EnrollmentGroupService>();
        services.AddSingleton<DeviceCertificates>();
        services.AddSingleton<RegistrationService>();
        return services;
    }
}
