using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Export.Destinations.Internal;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>
/// OAuth 2.0 client-credentials tokens (RFC 6749 §4.4) for one webhook: fetched once, shared by every request of the
/// sender, and fetched again shortly before they expire or when the receiver refuses one with 401.
/// </summary>
internal sealed class OAuthTokenSource(
    HttpClient client, OAuthSettings settings, TimeSpan requestTimeout, TimeProvider time, ILogger logger, string exportId) : IDisposable
{
    /// <summary>
    /// Refresh this long before <c>expires_in</c> runs out (at most half the lifetime), so a token does not expire
    /// between leaving Centrum and reaching the receiver.
    /// </summary>
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private Token? _current;

    /// <summary>A token as sent: the header value and when to stop using it (null: until a receiver refuses it).</summary>
    internal sealed class Token(string header, DateTimeOffset? refreshAt)
    {
        public string Header { get; } = header;

        public DateTimeOffset? RefreshAt { get; } = refreshAt;
    }

    /// <summary>Scheme, host and port of the token endpoint: what messages and logs show of it.</summary>
    private string Endpoint => $"{settings.TokenUrl.Scheme}://{settings.TokenUrl.Authority}";

    public async ValueTask<Token> GetAsync(CancellationToken cancellationToken)
    {
        var token = Volatile.Read(ref _current);
        if (IsFresh(token))
        {
            return token!;
        }

        // One fetch at a time: sixteen device workers finding the token expired together need one new token, not sixteen.
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            token = _current;
            if (IsFresh(token))
            {
                return token!;
            }

            token = await FetchAsync(cancellationToken);
            Volatile.Write(ref _current, token);
            return token;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> after a 401, unless another request already replaced it.</summary>
    public void Refused(Token token) => Interlocked.CompareExchange(ref _current, null, token);

    public void Dispose() => _fetching.Dispose();

    private bool IsFresh(Token? token) => token is not null && (token.RefreshAt is null || time.GetUtcNow() < token.RefreshAt);

    private async Task<Token> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.TokenUrl) { Content = RequestContent() };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DestinationException($"OAuth token endpoint {Endpoint} did not answer within {requestTimeout.TotalSeconds:0.#} s.", inner: ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
        {
            throw new DestinationException(refused.Message, permanent: true, inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new DestinationException($"OAuth token request to {Endpoint} failed: {ex.Message}", inner: ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var failure = HttpAnswers.Failure($"OAuth token endpoint {Endpoint}", response, time.GetUtcNow());
                var error = ErrorOf(body);
                return failure.Permanent && error is not null
                    ? throw new DestinationException($"OAuth token endpoint {Endpoint} refused the client credentials: {(int)response.StatusCode} {error}.", permanent: true)
                    : throw failure;
            }

            return Parse(body);
        }
    }

    private HttpContent RequestContent()
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", settings.ClientId),
            new("client_secret", settings.ClientSecret),
        };
        if (settings.Audience is not null)
        {
            parameters.Add(new("audience", settings.Audience));
        }

        if (settings.Scope is not null)
        {
            parameters.Add(new("scope", settings.Scope));
        }

        if (settings.RequestType != OAuthRequestType.Json)
        {
            return new FormUrlEncodedContent(parameters);
        }

        var json = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            json[name] = value;
        }

        return new StringContent(json.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
    }

    /// <summary>RFC 6749 §5.1: <c>access_token</c>, <c>token_type</c> and the optional <c>expires_in</c> (seconds).</summary>
    private Token Parse(string body)
    {
        string? accessToken = null;
        double? expiresIn = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject answer)
            {
                accessToken = answer["access_token"] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null;
                expiresIn = answer["expires_in"] switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
                    // Some endpoints (older Azure AD v1 among them) send expires_in as a string.
                    JsonValue v when v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
                    _ => null,
                };
            }
        }
        catch (JsonException)
        {
            // Reported below like a JSON answer without a token.
        }

        if (string.IsNullOrEmpty(accessToken))
        {
            throw new DestinationException($"OAuth token endpoint {Endpoint} answered without an access_token; check 'authorization.tokenUrl'.", permanent: true);
        }

        TimeSpan? lifetime = expiresIn is > 0 ? TimeSpan.FromSeconds(expiresIn.Value) : null;
        DateTimeOffset? refreshAt = null;
        if (lifetime is { } l)
        {
            var margin = TimeSpan.FromTicks(Math.Min(RefreshMargin.Ticks, l.Ticks / 2));
            refreshAt = time.GetUtcNow() + l - margin;
        }

        Log.TokenFetched(logger, exportId, Endpoint, lifetime);
        return new Token("Bearer " + accessToken, refreshAt);
    }

    /// <summary>RFC 6749 §5.2: <c>error</c> and <c>error_description</c> of a refused token request.</summary>
    private static string? ErrorOf(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject answer && answer["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String)
            {
                var description = answer["error_description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? $" ({d.GetValue<string>()})" : "";
                return error.GetValue<string>() + description;
            }
        }
        catch (JsonException)
        {
            // Not an RFC 6749 error body: the status line alone describes it.
        }

        return null;
    }
}
