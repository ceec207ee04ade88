using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.LoadGen;

/// <summary>
/// The export bench's webhook: Kestrel on a free loopback port, HTTP/1.1. <c>POST /export</c> is what Centrum's
/// export delivers to; <c>POST /direct</c> is the reference the load generator feeds itself. Both do the same work
/// per request (read the body, parse it, tally it) and answer 200 with no body.
/// </summary>
internal sealed class ExportReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExportReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ExportTally Export { get; } = new();

    public ExportTally Direct { get; } = new();

    public static async Task<ExportReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new ExportReceiver(app);
        app.MapPost("/export", context => ReceiveAsync(context, receiver.Export));
        app.MapPost("/direct", context => ReceiveAsync(context, receiver.Direct));
        await app.StartAsync(cancellationToken);
        receiver.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task ReceiveAsync(HttpContext context, ExportTally tally)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        var body = context.Request.BodyReader;
        ReadResult read;
        while (!(read = await body.ReadAsync(context.RequestAborted)).IsCompleted)
        {
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        tally.Record(read.Buffer, receivedAt);
        body.AdvanceTo(read.Buffer.End);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
