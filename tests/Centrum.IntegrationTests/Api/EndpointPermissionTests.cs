using Centrum.Api.Infrastructure;
using System.Reflection;
using Centrum.Server.Hosting;
using Centrum.Web.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// Every endpoint the server maps states the permission it needs, as the table kept beside this test says; an endpoint
/// missing from the table, or a table row with no endpoint, fails. Anonymous endpoints are listed as such.
/// </summary>
public sealed class EndpointPermissionTests
{
    [Fact]
    public async Task Every_endpoint_states_the_permission_the_table_lists()
    {
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "endpoints-" + Guid.NewGuid().ToString("N"));
        var app = CentrumHost.Build([$"--Centrum:Storage:DataFolder={folder}", "--Centrum:Network:ListenAddresses:0=127.0.0.1"]);
        try
        {
            var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();

            // The web application's static assets (CSS, JavaScript of its packages, fingerprinted names that change with
            // every build of them) are not listed one by one: each is anonymous and read-only.
            var assets = endpoints.Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is not null).ToList();
            Assert.NotEmpty(assets);
            Assert.All(assets, e => Assert.Equal("anonymous", Permission(e)));
            Assert.All(assets, e => Assert.Subset(new HashSet<string> { "GET", "HEAD" }, e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.ToHashSet()));
            var actual = endpoints.Except(assets)
                .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(method => $"{method} {e.RoutePattern.RawText} {Permission(e)}"))
                .Order(StringComparer.Ordinal)
                .ToList();
            var table = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "endpoint-permissions.txt"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(actual.SequenceEqual(table), "Endpoints differ from the table.\nOnly in the server:\n  " + string.Join("\n  ", actual.Except(table)) + "\nOnly in the table:\n  " + string.Join("\n  ", table.Except(actual)));
            Assert.DoesNotContain(actual, a => a.EndsWith(" none", StringComparison.Ordinal));
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// A web page's endpoint is open (the router, not the endpoint, refuses a caller: it sends to sign-in or shows "not
    /// allowed"), so a page is listed with what its own attributes require.
    /// </summary>
    private static string Permission(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is { } page
            ? page.Type.GetCustomAttribute<RequirePermissionAttribute>()?.Permission.ToString()
                ?? (page.Type.GetCustomAttribute<AllowAnonymousAttribute>() is not null ? "anonymous" : page.Type.GetCustomAttribute<AuthorizeAttribute>()?.Policy ?? "none")
            : endpoint.Metadata.GetMetadata<RequiredPermission>()?.Permission.ToString()
        ?? (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? "anonymous" : endpoint.Metadata.GetMetadata<IAuthorizeData>()?.Policy ?? "none");
}
