using Centrum.Applications;
using Centrum.Hosting;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Applications;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using System.Security.Claims;
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
    /// <summary>The OpenID Connect scopes single sign-on asks for: the subject, the name and the e-mail membership is matched by.</summary>
    private static readonly string[] SingleSignOnScopes = ["openid", "profile", "email"];

    /// <summary>The default authentication scheme: it forwards to the API token or the session cookie.</summary>
    public const string CallerScheme = "Centrum";

    /// <summary>The OpenID Connect provider's access tokens on the REST API.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>Browser sign-in through the OpenID Connect provider.</summary>
    public const string SingleSignOnScheme = "oidc";

    public static IServiceCollection AddCentrumIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<ApplicationOptions>(configuration, ApplicationOptions.Section);
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<IApplicationCatalog>(sp => sp.GetRequiredService<ApplicationCatalog>());
        services.AddSingleton<ApplicationAdministration>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<Centrum.Audit.IAuditTrail>(sp => sp.GetRequiredService<Audit.AuditLog>());
        services.AddSectionOptions<Audit.AuditOptions>(configuration, Audit.AuditOptions.Section);
        services.AddHostedService<Audit.AuditRetentionWorker>();
        services.AddSectionOptions<SignInLimitOptions>(configuration, SignInLimitOptions.Section);
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<Accounts.AccountSignIn>();
        services.AddScoped<Accounts.AccountSessions>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<RoleCatalog>();
        services.AddSingleton<AccessScope>();
        services.AddSingleton<Organizations.OrganizationService>();
        services.AddSingleton<Centrum.Organizations.IOrganizationCatalog, Organizations.OrganizationCatalog>();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();

        services.AddSingleton<UserService>();
        services.AddScoped<LocalAccounts>();
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
        services.AddHttpContextAccessor();
        services.AddSingleton<IClaimsTransformation, MembershipClaimsTransformation>();
        services.AddSectionOptions<SingleSignOnOptions>(configuration, SingleSignOnOptions.Section);
        var sso = configuration.GetValidated<SingleSignOnOptions>(SingleSignOnOptions.Section);

        // One scheme in front: an API token when the request carries one, otherwise the session cookie of a signed-in
        // account. Either way the principal names its application and roles, and the same permissions apply.
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CallerScheme;
                o.DefaultChallengeScheme = CallerScheme;
            })
            .AddPolicyScheme(CallerScheme, "API token, bearer token or session", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString() switch
                {
                    var header when header.StartsWith("SharedAccessSignature ", StringComparison.Ordinal) => ApiTokenAuthenticationHandler.SchemeName,
                    var header when sso.Enabled && header.StartsWith("Bearer ", StringComparison.Ordinal) => BearerScheme,
                    _ => IdentityConstants.ApplicationScheme,
                })
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

        if (sso.Enabled)
        {
            services.AddAuthentication()
                .AddJwtBearer(BearerScheme, o =>
                {
                    o.Authority = sso.Authority;
                    o.Audience = sso.Audience;
                    o.RequireHttpsMetadata = sso.RequireHttpsMetadata;
                    o.MapInboundClaims = false;

                    // A provider's token may carry claims named like Centrum's own; they are never read from it.
                    o.Events = new Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerEvents
                    {
                        OnTokenValidated = c => { RemoveCentrumClaims(c.Principal); return Task.CompletedTask; },
                    };
                })
                .AddOpenIdConnect(SingleSignOnScheme, o =>
                {
                    o.Authority = sso.Authority;
                    o.ClientId = sso.ClientId;
                    o.ClientSecret = sso.ClientSecret;
                    o.RequireHttpsMetadata = sso.RequireHttpsMetadata;
                    o.ResponseType = "code";
                    o.UsePkce = true;
                    o.MapInboundClaims = false;
                    o.GetClaimsFromUserInfoEndpoint = true;
                    o.SignInScheme = IdentityConstants.ExternalScheme;
                    o.Events.OnTokenValidated = c => { RemoveCentrumClaims(c.Principal); return Task.CompletedTask; };
                    o.Events.OnUserInformationReceived = c => { RemoveCentrumClaims(c.Principal); return Task.CompletedTask; };
                    o.Scope.Clear();
                    foreach (var scope in SingleSignOnScopes)
                    {
                        o.Scope.Add(scope);
                    }
                });
        }

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

            options.AddPolicy(MemberPolicy.Name, MemberPolicy.Policy);
        });
        return services;
    }

    private static void RemoveCentrumClaims(ClaimsPrincipal? principal)
    {
        foreach (var identity in principal?.Identities ?? [])
        {
            ExternalIdentity.RemoveCentrumClaims(identity);
        }
    }
}
