using Centrum.Api.Infrastructure;
using Centrum.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

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
            var actual = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
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

    private static string Permission(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<RequiredPermission>()?.Permission.ToString()
        ?? (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? "anonymous" : "none");
}
