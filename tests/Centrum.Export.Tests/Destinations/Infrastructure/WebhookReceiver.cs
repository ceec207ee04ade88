using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>One request as the receiver saw it.</summary>
internal sealed record ReceivedRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 and a port of its own (Kestrel), standing in for a webhook receiver:
/// <c>/hook</c> records every delivery, <c>/token</c> is an OAuth 2.0 token endpoint.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _tokensIssued;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        Token = Issuing(3600);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public Uri HookUrl => new(BaseAddress, "/hook");

    public Uri TokenUrl => new(BaseAddress, "/token");

    public ConcurrentQueue<ReceivedRequest> Deliveries { get; } = new();

    public ConcurrentQueue<ReceivedRequest> TokenRequests { get; } = new();

    /// <summary>The most deliveries the receiver was handling at one moment.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Answers a delivery; the default accepts with 200. Runs after the delivery is recorded.</summary>
    public Func<HttpContext, ReceivedRequest, Task> Respond { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Answers a token request; the default issues <c>token-1</c>, <c>token-2</c>, … valid for an hour.</summary>
    public Func<HttpContext, ReceivedRequest, Task> Token { get; set; }

    /// <summary>Tokens that <c>/hook</c> accepts as <c>Bearer</c>; null accepts any request.</summary>
    public ConcurrentDictionary<string, bool>? AcceptedTokens { get; set; }

    public static async Task<WebhookReceiver> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>The default token endpoint: a new token on each request, valid for <paramref name="expiresIn"/> seconds.</summary>
    public Func<HttpContext, ReceivedRequest, Task> Issuing(int expiresIn) => async (context, _) =>
    {
        var token = $"token-{Interlocked.Increment(ref _tokensIssued)}";
        AcceptedTokens?.TryAdd(token, true);
        await context.Response.WriteAsJsonAsync(new { access_token = token, token_type = "Bearer", expires_in = expiresIn });
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = new ReceivedRequest(
            context.Request.Path,
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray());

        if (context.Request.Path == "/token")
        {
            TokenRequests.Enqueue(request);
            await Token(context, request);
            return;
        }

        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        try
        {
            if (AcceptedTokens is { } accepted)
            {
                var authorization = request.Header("Authorization");
                if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !accepted.ContainsKey(authorization[7..]))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
            }

            Deliveries.Enqueue(request);
            await Respond(context, request);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
