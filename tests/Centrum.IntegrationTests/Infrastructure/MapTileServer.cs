using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// A raster XYZ tile server as an operator would run one, on a port of its own: Kestrel over HTTPS (the application's
/// pages are HTTPS, and a browser refuses plain-HTTP fetches from them), answering a PNG for any <c>/{z}/{x}/{y}.png</c>
/// with the CORS header a WebGL map needs to draw an image from another origin, and recording what was asked.
/// </summary>
public sealed class MapTileServer : IAsyncDisposable
{
    /// <summary>A 1×1 opaque PNG.</summary>
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<(int Z, int X, int Y)> _requested = new();

    private MapTileServer(WebApplication app, X509Certificate2 certificate) => (_app, _certificate) = (app, certificate);

    /// <summary>The URL template to give <c>Centrum:Web:MapTileUrl</c>.</summary>
    public string Template { get; private set; } = "";

    /// <summary>The tiles requested so far, in order.</summary>
    public IReadOnlyList<(int Z, int X, int Y)> Requested => [.. _requested];

    /// <summary>Starts on <paramref name="address"/>, on a port the system picks.</summary>
    public static async Task<MapTileServer> StartAsync(IPAddress address)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = SelfSigned(address);
        builder.WebHost.UseKestrel(k => k.Listen(address, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new MapTileServer(app, certificate);
        app.MapGet("/{z:int}/{x:int}/{y:int}.png", (int z, int x, int y, HttpContext context) =>
        {
            server._requested.Enqueue((z, x, y));
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Bytes(Png, "image/png");
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.Template = $"https://{address}:{bound.Port}/{{z}}/{{x}}/{{y}}.png";
        return server;
    }

    /// <summary>Whether the tile <paramref name="tile"/> (Web Mercator XYZ, as slippy maps number them) holds the point.</summary>
    public static bool Covers((int Z, int X, int Y) tile, double latitude, double longitude)
    {
        var n = Math.Pow(2, tile.Z);
        var x = (int)Math.Floor((longitude + 180) / 360 * n);
        var radians = latitude * Math.PI / 180;
        var y = (int)Math.Floor((1 - Math.Log(Math.Tan(radians) + 1 / Math.Cos(radians)) / Math.PI) / 2 * n);
        return tile.X == x && tile.Y == y;
    }

    private static X509Certificate2 SelfSigned(IPAddress address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=tiles", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form the platform's TLS can use: a PKCS#12 round trip gives it that.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
