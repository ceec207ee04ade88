using Centrum.Applications;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Applications;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>The default authentication scheme: it forwards to the API token or the session cookie.</summary>
    public const string CallerScheme = "Centrum";

    public static IServiceCollection AddCentrumIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApplicationOptions>().Bind(configuration.GetSection(ApplicationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<IApplicationCatalog>(sp => sp.GetRequiredService<ApplicationCatalog>());
        services.AddSingleton<ApplicationAdministration>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();

        services.AddSingleton<UserService>();
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<CentrumDbContext>>().CreateDbContext());
        services.AddIdentityCore<CentrumUser>(o =>
            {
                o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddUserStore<ProtectedUserStore>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddSingleton<IClaimsTransformation, MembershipClaimsTransformation>();

        // One scheme in front: an API token when the request carries one, otherwise the session cookie of a signed-in
        // account. Either way the principal names its application and roles, and the same permissions apply.
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CallerScheme;
                o.DefaultChallengeScheme = CallerScheme;
            })
            .AddPolicyScheme(CallerScheme, "API token or session", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("SharedAccessSignature ", StringComparison.Ordinal)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies(cookies =>
            {
                cookies.ApplicationCookie?.Configure(o =>
                {
                    o.Cookie.Name = "Centrum.Session";
                    o.Cookie.HttpOnly = true;
                    o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                    o.Cookie.SameSite = SameSiteMode.Strict;
                    o.ExpireTimeSpan = TimeSpan.FromHours(8);
                    o.SlidingExpiration = true;

                    // The REST API answers 401/403 itself; no redirects to a sign-in page.
                    o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                    o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
                });
                cookies.TwoFactorUserIdCookie?.Configure(o =>
                {
                    o.Cookie.Name = "Centrum.TwoFactor";
                    o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                    o.Cookie.SameSite = SameSiteMode.Strict;
                });
            });

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
