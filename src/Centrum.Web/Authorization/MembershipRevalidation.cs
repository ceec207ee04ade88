using System.Security.Claims;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Web.Authorization;

/// <summary>
/// A circuit keeps the principal of its start, while REST looks a session's roles up on every request. Every
/// <see cref="WebOptions.MembershipRevalidation"/> the membership is looked up again through the same claims
/// transformation; when the roles differ, the circuit's state becomes signed out, the router sends the page to sign-in,
/// and sign-in, finding the session still valid, returns to the page, now rendered with the roles held now.
/// </summary>
internal sealed class MembershipRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<WebOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Value.MembershipRevalidation;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var circuit = authenticationState.User;
        if (circuit.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var now = await scope.ServiceProvider.GetRequiredService<IClaimsTransformation>().TransformAsync(new ClaimsPrincipal(circuit.Identities.Select(i => i.Clone())));
        return Roles(now).SetEquals(Roles(circuit));
    }

    private static HashSet<string> Roles(ClaimsPrincipal principal) =>
        principal.FindAll(CentrumClaims.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
}
