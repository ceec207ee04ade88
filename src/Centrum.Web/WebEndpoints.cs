using Centrum.Web.Authorization;
using Centrum.Web.Components;
using Centrum.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Centrum.Web;

/// <summary>
/// The web application: Blazor with interactive server rendering, in the server's process and on its HTTPS port,
/// signed in with the identity area's sessions. Pages call the areas' services with the caller's reach
/// (<see cref="WebCaller"/>); each page states the permission it needs (<see cref="RequirePermissionAttribute"/>).
/// </summary>
public static class WebEndpoints
{
    /// <summary>The Blazor hub's routes (<c>/_blazor</c>, <c>/_blazor/negotiate</c>): only members open a circuit.</summary>
    private const string CircuitPathPrefix = "/_blazor";

    public static IServiceCollection AddCentrumWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<WebOptions>(configuration, WebOptions.Section);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, MembershipRevalidation>();
        services.AddMudServices();
        services.AddScoped<WebCaller>();
        services.AddScoped<Pages.Explorer.SavedQueryRunner>();
        services.AddSingleton<Devices.DeviceViewService>();
        services.AddAuthorizationBuilder().AddPolicy(WebPolicies.Member, WebPolicies.MemberPolicy);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "Centrum.Antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });
        return services;
    }

    /// <summary>
    /// The pages at <c>/</c>, their static assets, and the antiforgery check of their forms; call after
    /// <c>UseAuthorization</c>. The routes are the pages' own (<c>/</c>, <c>/signin</c>, ...), so <c>/api</c>,
    /// <c>/account</c> and the device endpoints keep answering as before.
    /// </summary>
    public static WebApplication MapCentrumWeb(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();

        // The server denies by default; a page's own attributes decide who sees it, and the router renders
        // "not allowed" or sends to sign-in instead of answering 401/403 with an empty body. The circuit's hub is for
        // members only.
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .Add(endpoint => endpoint.Metadata.Add(IsCircuit(endpoint) ? new AuthorizeAttribute(WebPolicies.Member) : new AllowAnonymousAttribute()));
        return app;
    }

    private static bool IsCircuit(EndpointBuilder endpoint) =>
        endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.StartsWith(CircuitPathPrefix, StringComparison.Ordinal);
}
