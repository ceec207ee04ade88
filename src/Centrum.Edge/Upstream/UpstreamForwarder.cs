using Centrum.Edge.Buffering;
using Centrum.Edge.Downstream;
using Centrum.Edge.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace Centrum.Edge.Upstream;

/// <summary>
/// Delivers what the store holds for <c>$upstream</c> to the cloud, oldest first: a batch is published on each
/// sender's own connection (in order per connection), and leaves the store only when the cloud has acknowledged every
/// message of it. A failure closes the connections and starts again from the store after a growing pause, so the
/// cloud may see a message twice but never misses one (at least once; Centrum's telemetry store drops a resent
/// message that carries the same message id).
/// </summary>
internal sealed class UpstreamForwarder(
    MessageStore store, UpstreamConnections connections, EdgeMetrics metrics, IOptions<UpstreamOptions> options, TimeProvider time, ILogger<UpstreamForwarder> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        long cursor = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<BufferedMessage> batch;
            try
            {
                batch = await store.ReadAsync(DownstreamSession.Upstream, cursor, options.Value.ForwardBatch, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await SendAsync(batch, stoppingToken);
                await store.RemoveThroughAsync(DownstreamSession.Upstream, batch[^1].Sequence, CancellationToken.None);
                cursor = batch[^1].Sequence;
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Unreachable, refused mid-way or cut off: the batch stays in the store and goes again, whole, on fresh connections.
                Log.ForwardFailed(logger, batch.Count, backoff.TotalSeconds, ex.GetBaseException().Message);
                connections.Reset();
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.Value.MaxBackoff.Ticks));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await connections.DisposeAsync();
    }

    private async Task SendAsync(IReadOnlyList<BufferedMessage> batch, CancellationToken cancellationToken)
    {
        var pending = new List<Task<MqttClientPublishResult>>(batch.Count);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in batch)
        {
            var source = message.Message.Source;
            if (refused.Contains(source))
            {
                continue;
            }

            IMqttClient client;
            try
            {
                client = await connections.ConnectedAsync(source, cancellationToken);
            }
            catch (CloudRefusedException ex)
            {
                // The cloud will never take this sender's messages (it left the scope, or was deleted or disabled):
                // they are dropped, counted and logged, rather than holding up every other device behind them.
                refused.Add(source);
                Log.SenderRefused(logger, source, ex.Message);
                continue;
            }

            // Published without waiting, in order: MQTTnet sends one connection's packets in the order they are handed over.
            pending.Add(UpstreamConnections.PublishAsync(client, source, message.Message.Properties, message.Message.Body, cancellationToken));
        }

        var results = await Task.WhenAll(pending);
        var failed = results.Count(r => !r.IsSuccess);
        if (failed > 0)
        {
            throw new CloudRefusedException($"The cloud did not accept {failed} of {results.Length} messages.");
        }

        var dropped = batch.Count - pending.Count;
        metrics.Forwarded(pending.Count, dropped);
    }
}
