using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Centrum.Export.Destinations.Internal;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>
/// Delivers a batch to a webhook the way IoT Central does: one POST per message with the message as its JSON body.
/// Different devices' messages go concurrently, each device's strictly one after the other.
/// </summary>
internal sealed class WebhookSender : IDestinationSender
{
    /// <summary>
    /// Devices in flight at once. Bounds the connections one export opens to a receiver (each device's messages wait
    /// for the previous answer, so a worker holds at most one request) while keeping a slow receiver's latency from
    /// serialising a whole batch.
    /// </summary>
    internal const int MaxDevicesInFlight = 16;

    /// <summary>Bounds what a token endpoint's answer may buffer; RFC 6749 token answers are a few hundred bytes.</summary>
    private const int MaxResponseBuffer = 64 * 1024;

    private readonly WebhookSettings _settings;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DestinationContext _context;
    private readonly HttpClient _client;
    private readonly OAuthTokenSource? _tokens;

    public WebhookSender(WebhookSettings settings, DestinationContext context, TimeSpan requestTimeout, TimeProvider time, ILogger logger, DestinationReach reach)
    {
        _settings = settings;
        _context = context;
        _requestTimeout = requestTimeout;
        _time = time;
        _logger = logger;

        // A handler of its own rather than a shared factory client: the connection pool, the redirect rule and a
        // destination's own trusted CA belong to this destination alone.
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = requestTimeout,
            // New connections resolve the receiver's name again, so a receiver that moves is followed within minutes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Every connection, to the webhook and to its OAuth token endpoint, goes to an address the reach allows;
            // a proxy would hide the address actually reached, so none is used.
            UseProxy = false,
            ConnectCallback = async (target, cancellationToken) =>
                new NetworkStream(await reach.ConnectAsync(target.DnsEndPoint.Host, target.DnsEndPoint.Port, cancellationToken), ownsSocket: true),
        };
        if (settings.TrustedCertificates is { } trusted)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A private CA rarely publishes a CRL; checking would fail every chain it issued.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(trusted);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        _client = new HttpClient(handler, disposeHandler: true)
        {
            // Each request gets its own timeout below; HttpClient's would also cut the token fetch of a waiting worker.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxResponseBuffer,
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Centrum-Export", "1.0"));
        if (settings.OAuth is { } oauth)
        {
            _tokens = new OAuthTokenSource(_client, oauth, requestTimeout, time, logger, context.ExportId);
        }
    }

    /// <summary>
    /// Posts every message, each device's in order. A failed message ends its device's stream for this attempt (its
    /// later messages must not overtake it) while the other devices go on, so that a retry resends only the devices
    /// that failed (<see cref="DestinationException.Undelivered"/>); a failure that speaks for the whole receiver (no
    /// answer, a refused connection, a Retry-After) starts no further requests. Requests in flight are never cut off:
    /// an answer that arrives still counts, and a request cut off might have been accepted and be sent twice.
    /// </summary>
    public async Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var messages = batch.Messages;
        var devices = ByDevice(messages);
        var accepted = new bool[messages.Count];
        DestinationException? failure = null;
        var gate = new Lock();
        var next = -1;
        var stopped = false;

        async Task Worker()
        {
            int i;
            while (!Volatile.Read(ref stopped) && (i = Interlocked.Increment(ref next)) < devices.Count)
            {
                foreach (var index in devices[i])
                {
                    if (Volatile.Read(ref stopped))
                    {
                        return;
                    }

                    try
                    {
                        await PostAsync(messages[index], cancellationToken);
                        accepted[index] = true;
                    }
                    catch (DestinationException ex)
                    {
                        lock (gate)
                        {
                            // A permanent failure wins: retrying would meet it again.
                            if (failure is null || (ex.Permanent && !failure.Permanent))
                            {
                                failure = ex;
                            }
                        }

                        if (ex.InnerException is not null || ex.RetryAfter is not null)
                        {
                            Volatile.Write(ref stopped, true);
                        }

                        break;
                    }
                }
            }
        }

        await Workers.RunAsync(MaxDevicesInFlight, devices.Count, Worker);
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            var undelivered = new List<ExportedMessage>();
            for (var m = 0; m < messages.Count; m++)
            {
                if (!accepted[m])
                {
                    undelivered.Add(messages[m]);
                }
            }

            throw new DestinationException(failure.Message, failure.Permanent, failure.InnerException)
            {
                RetryAfter = failure.RetryAfter,
                Undelivered = undelivered,
            };
        }
    }

    public ValueTask DisposeAsync()
    {
        _tokens?.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The positions of each device's messages in batch order, devices in order of their first message.</summary>
    private static List<List<int>> ByDevice(IReadOnlyList<ExportedMessage> messages)
    {
        var devices = new List<List<int>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var m = 0; m < messages.Count; m++)
        {
            var deviceId = messages[m].DeviceId;
            if (!index.TryGetValue(deviceId, out var i))
            {
                i = devices.Count;
                index.Add(deviceId, i);
                devices.Add([]);
            }

            devices[i].Add(m);
        }

        return devices;
    }

    private async Task PostAsync(ExportedMessage message, CancellationToken cancellationToken)
    {
        // A 401 with OAuth is answered once with a fresh token: the receiver may have revoked or rotated the one cached.
        for (var attempt = 0; ; attempt++)
        {
            var token = _tokens is null ? null : await _tokens.GetAsync(cancellationToken);
            using var request = Request(message, token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_requestTimeout);

            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DestinationException(
                    $"Webhook {_settings.Endpoint} did not answer message {message.Sequence} within {_requestTimeout.TotalSeconds:0.#} s.", inner: ex);
            }
            catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
            {
                throw new DestinationException(refused.Message, permanent: true, inner: ex);
            }
            catch (HttpRequestException ex)
            {
                throw new DestinationException($"POST to webhook {_settings.Endpoint} failed: {ex.Message}", inner: ex);
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && attempt == 0)
                {
                    Log.TokenRefused(_logger, _context.ExportId, _settings.Endpoint);
                    _tokens!.Refused(token);
                    continue;
                }

                throw HttpAnswers.Failure($"Webhook {_settings.Endpoint}", response, _time.GetUtcNow());
            }
        }
    }

    private HttpRequestMessage Request(ExportedMessage message, OAuthTokenSource.Token? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _settings.RequestUri)
        {
            Content = new ReadOnlyMemoryContent(message.Body),
        };
        // A new value per request: header values are mutable objects, and requests of different devices run at once.
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in _settings.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var authorization = token?.Header ?? _settings.AuthorizationHeader;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (_settings.SigningKey is { } key)
        {
            var (timestamp, signature) = WebhookSignature.Sign(key, _time.GetUtcNow(), message.Body.Span);
            request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, signature);
        }

        return request;
    }
}
