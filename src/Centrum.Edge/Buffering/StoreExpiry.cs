using Microsoft.Extensions.Hosting;

namespace Centrum.Edge.Buffering;

/// <summary>Drops the messages that waited longer than the time to live, once a minute (IoT Edge's hub sweeps its store on a timer too).</summary>
internal sealed class StoreExpiry(MessageStore store, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                await store.ExpireAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
