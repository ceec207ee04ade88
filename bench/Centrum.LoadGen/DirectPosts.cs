using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace Centrum.LoadGen;

/// <summary>
/// The export bench's reference: the load generator posts straight to the receiver the way Centrum's webhook sender
/// does (a pooled HTTP/1.1 client, one POST per message with the message as its JSON body, at most
/// <c>senders</c> devices in flight, each device's messages strictly one after the other), with none of the export's
/// reading, building or cursor work. A device waits in a queue between its messages, so every sender stays busy until
/// the last few messages and the figure is the transport's ceiling at that concurrency.
/// </summary>
internal static class DirectPosts
{
    public static async Task<(long Posted, long Failed, double Seconds)> RunAsync(
        Uri url, byte[] body, long messages, int devices, int senders, CancellationToken cancellationToken)
    {
        if (messages <= 0)
        {
            return (0, 0, 0);
        }

        // The webhook sender's client settings: its own pool, no redirects, no cookies.
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Centrum-LoadGen", "1.0"));

        var remaining = new long[devices];
        for (var d = 0; d < devices; d++)
        {
            remaining[d] = (messages / devices) + (d < messages % devices ? 1 : 0);
        }

        var ready = Channel.CreateUnbounded<int>();
        for (var d = 0; d < devices; d++)
        {
            if (remaining[d] > 0)
            {
                ready.Writer.TryWrite(d);
            }
        }

        long posted = 0;
        long failed = 0;
        var outstanding = messages;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            await foreach (var device in ready.Reader.ReadAllAsync(cancellationToken))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref posted : ref failed);
                if (--remaining[device] > 0)
                {
                    ready.Writer.TryWrite(device);
                }

                if (Interlocked.Decrement(ref outstanding) == 0)
                {
                    ready.Writer.TryComplete();
                }
            }
        }));
        return (posted, failed, watch.Elapsed.TotalSeconds);
    }
}
