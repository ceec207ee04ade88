using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// A real HTTP receiver for export tests, on a loopback port of its own: it records every POST and can be taken
/// down (503) or slowed, as a customer's endpoint would be. It also serves an OAuth 2.0 token endpoint.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body, byte[] Raw)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>While true, every delivery is answered 503, as by an endpoint that is down.</summary>
    private volatile bool _down;
    private int _tokensIssued;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>
    /// While set, a delivery whose JSON body it returns true for is answered 500 and not recorded, as by an endpoint
    /// that fails for some messages only.
    /// </summary>
    public Func<JsonObject, bool>? Refuse { get; set; }

    /// <summary>How long each delivery takes to be answered, as a slow endpoint would.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public IReadOnlyList<Received> Requests => _received.ToList();

    public IReadOnlyList<Received> At(string path) => _received.Where(r => r.Path == path).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != "centrum" || form["client_secret"] != "s3cret-client")
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var token = "token-" + Interlocked.Increment(ref receiver._tokensIssued);
            return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = 3600 });
        });
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            if (receiver.Down)
            {
                return Results.StatusCode(503);
            }

            if (receiver.Delay > TimeSpan.Zero)
            {
                await Task.Delay(receiver.Delay);
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var raw = buffer.ToArray();
            if (receiver.Refuse is { } refuse && JsonNode.Parse(raw) is JsonObject json && refuse(json))
            {
                return Results.StatusCode(500);
            }

            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            receiver._received.Enqueue(new Received(context.Request.Path.Value ?? "/", headers, System.Text.Encoding.UTF8.GetString(raw), raw));
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
