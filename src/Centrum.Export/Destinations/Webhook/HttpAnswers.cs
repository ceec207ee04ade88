using System.Net;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>How an HTTP answer from a receiver or a token endpoint turns into a delivery outcome.</summary>
internal static class HttpAnswers
{
    /// <summary>408 and 429 ask to come back later (RFC 9110 §15.5.9, RFC 6585 §4); a 5xx may pass. Any other 4xx will not.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>RFC 9110 §10.2.3: Retry-After is either seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            return date > now ? date - now : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// A failure for a non-2xx answer. The response body is left out: some receivers echo the request, and with it
    /// the secret headers, into their error pages.
    /// </summary>
    public static DestinationException Failure(string what, HttpResponseMessage response, DateTimeOffset now)
    {
        var status = (int)response.StatusCode;
        var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase;
        var message = $"{what} answered {status} {reason}";
        if (status is >= 300 and < 400)
        {
            // Following a redirect would turn the POST into a GET (RFC 9110 §15.4.2, §15.4.3) and drop the message.
            message += "; Centrum does not follow redirects, set the URL to the final address";
        }

        return new DestinationException(message + ".", permanent: !IsTransient(response.StatusCode))
        {
            RetryAfter = RetryAfter(response, now),
        };
    }
}
