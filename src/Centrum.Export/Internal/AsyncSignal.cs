using System.Diagnostics.CodeAnalysis;

namespace Centrum.Export.Internal;

/// <summary>A wake-up that coalesces: any number of <see cref="Set"/> calls while nobody waits wake the next wait once.</summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Set may run on another thread after the waiter is gone; disposing the semaphore would turn that into ObjectDisposedException. The semaphore's wait handle is never asked for, so it holds no OS resource.")]
internal sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        if (_semaphore.CurrentCount == 0)
        {
            try
            {
                _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another Set won the race: the waiter wakes once either way.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
