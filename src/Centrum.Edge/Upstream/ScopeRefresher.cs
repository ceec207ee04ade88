using Centrum.Edge.Downstream;
using Centrum.Edge.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Edge.Upstream;

/// <summary>
/// Reads the <c>$edgeHub</c> key and the device scope from the cloud at start and every
/// <see cref="UpstreamOptions.ScopeRefresh"/>, and retries with a growing pause while the cloud is unreachable. Until
/// the first read succeeds no downstream identity is known.
/// </summary>
internal sealed class ScopeRefresher(
    CloudRegistryClient registry, DeviceScope scope, EdgeHubCredentials credentials, IOptions<UpstreamOptions> options, TimeProvider time, ILogger<ScopeRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var cache = new ScopeCache(options.Value.ScopeCachePath);
        string? key = null;
        if (cache.Load() is { } cached)
        {
            // Until the cloud answers, the scope and key it last gave serve: downstream devices connect, stored messages wait.
            scope.Replace(cached.Identities);
            credentials.Provide(cached.EdgeHubKey);
            Log.ScopeCached(logger, cached.Identities.Count);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                key ??= await registry.EdgeHubKeyAsync(stoppingToken);
                credentials.Provide(key);
                var identities = await registry.ScopeAsync(key, stoppingToken);
                scope.Replace(identities);
                cache.Save(key, identities);
                Log.ScopeRead(logger, identities.Count);
                wait = options.Value.ScopeRefresh;
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or CloudRefusedException or TaskCanceledException or System.Text.Json.JsonException or IOException)
            {
                // One second, doubling with each failure in a row, up to the configured longest pause.
                wait = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond << Math.Min(failures++, 20), options.Value.MaxBackoff.Ticks));
                Log.ScopeFailed(logger, wait.TotalSeconds, ex.Message);
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
