using Centrum.Applications;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Applications;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Identity;

public static class IdentityServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApplicationOptions>().Bind(configuration.GetSection(ApplicationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<IApplicationCatalog>(sp => sp.GetRequiredService<ApplicationCatalog>());
        services.AddSingleton<ApplicationAdministration>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();

        services.AddAuthentication(ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        services.AddAuthorization(options =>
        {
            // Deny by default: an endpoint that states no permission is refused to everyone.
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAssertion(_ => false).Build();
            foreach (var permission in Enum.GetValues<Permission>())
            {
                options.AddPolicy(PermissionRequirement.PolicyName(permission), policy => policy
                    .RequireAuthenticatedUser()
                    .RequireClaim(CentrumClaims.Application)
                    .AddRequirements(new PermissionRequirement(permission)));
            }
        });
        return services;
    }
}
