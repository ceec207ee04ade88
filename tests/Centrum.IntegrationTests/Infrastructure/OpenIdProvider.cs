using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (OpenIddict, clients in a SQLite file) for the single sign-on tests, on a loopback
/// port over plain HTTP; Centrum is told to accept HTTP metadata for it. The person who signs in at the authorization
/// endpoint is whoever the test names in <see cref="SignedInEmail"/> (a provider's own login page is not under test).
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    public const string Audience = "centrum-api";

    private readonly WebApplication _app;
    private readonly string _folder;

    private OpenIdProvider(WebApplication app, string folder, Uri issuer)
    {
        _app = app;
        _folder = folder;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    public string SignedInEmail { get; set; } = "";

    /// <summary>People whose email the provider has not verified (their tokens say <c>email_verified: false</c>).</summary>
    public HashSet<string> UnverifiedEmails { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Any further claims the provider puts in a person's tokens, by email: a hostile or careless provider.</summary>
    public Dictionary<string, (string Type, string Value)[]> ExtraClaims { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The directory groups the provider puts in a person's tokens (the <c>groups</c> claim), by email.</summary>
    public Dictionary<string, string[]> Groups { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers the confidential web client Centrum signs people in with, a service principal and a script client.</summary>
    public static async Task<OpenIdProvider> StartAsync(Uri centrumRedirectUri)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var issuer = new Uri($"http://127.0.0.1:{port}/");
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "oidc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddDbContext<DbContext>(o => o.UseSqlite($"Data Source={Path.Combine(folder, "provider.db")}").UseOpenIddict());
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(o =>
            {
                o.SetIssuer(issuer);
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token").SetUserInfoEndpointUris("connect/userinfo");
                o.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().AllowPasswordFlow();
                o.RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, "api");
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();

                // Resource servers validate access tokens themselves: issue them as signed, not encrypted, JWTs.
                o.DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().EnableUserInfoEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });
        var app = builder.Build();
        var provider = new OpenIdProvider(app, folder, issuer);
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext context) =>
            Results.SignIn(provider.Principal(provider.SignedInEmail, context.GetOpenIddictServerRequest()!.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme));
        app.MapPost("/connect/token", async (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest()!;
            if (request.IsAuthorizationCodeGrantType())
            {
                var code = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
                return Results.SignIn(code.Principal!, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            }

            if (request.IsClientCredentialsGrantType())
            {
                var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
                identity.AddClaim(new Claim(Claims.Subject, request.ClientId!).SetDestinations(Destinations.AccessToken));
                identity.AddClaim(new Claim("oid", "object-" + request.ClientId).SetDestinations(Destinations.AccessToken));
                identity.AddClaim(new Claim("tid", "tenant-1").SetDestinations(Destinations.AccessToken));
                var principal = new ClaimsPrincipal(identity);
                principal.SetResources(Audience);
                return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            }

            if (request.IsPasswordGrantType() && request.Password == "provider-password")
            {
                return Results.SignIn(provider.Principal(request.Username!, request.GetScopes()), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            }

            return Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
        app.MapMethods("/connect/userinfo", ["GET", "POST"], async (HttpContext context) =>
        {
            var token = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Results.Json(new Dictionary<string, string?>
            {
                [Claims.Subject] = token.Principal!.GetClaim(Claims.Subject),
                [Claims.Email] = token.Principal!.GetClaim(Claims.Email),
            });
        });

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DbContext>().Database.EnsureCreatedAsync();
            var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = "centrum",
                ClientSecret = "centrum-secret",
                ClientType = ClientTypes.Confidential,
                RedirectUris = { centrumRedirectUri },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = "robot",
                ClientSecret = "robot-secret",
                ClientType = ClientTypes.Confidential,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + "api" },
            });
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = "script",
                ClientSecret = "script-secret",
                ClientType = ClientTypes.Confidential,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.Password, Permissions.Scopes.Email, Permissions.Prefixes.Scope + "api" },
            });
        }

        await app.StartAsync();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private ClaimsPrincipal Principal(string email, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, "user-" + email).SetDestinations(Destinations.AccessToken, Destinations.IdentityToken));
        identity.AddClaim(new Claim(Claims.Email, email).SetDestinations(Destinations.AccessToken, Destinations.IdentityToken));
        identity.AddClaim(new Claim(Claims.EmailVerified, UnverifiedEmails.Contains(email) ? "false" : "true", ClaimValueTypes.Boolean)
            .SetDestinations(Destinations.AccessToken, Destinations.IdentityToken));
        identity.AddClaim(new Claim("tid", "tenant-1").SetDestinations(Destinations.AccessToken));
        foreach (var (type, value) in ExtraClaims.GetValueOrDefault(email) ?? [])
        {
            identity.AddClaim(new Claim(type, value).SetDestinations(Destinations.AccessToken, Destinations.IdentityToken));
        }

        foreach (var group in Groups.GetValueOrDefault(email) ?? [])
        {
            identity.AddClaim(new Claim("groups", group).SetDestinations(Destinations.AccessToken));
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        principal.SetResources(Audience);
        return principal;
    }
}
