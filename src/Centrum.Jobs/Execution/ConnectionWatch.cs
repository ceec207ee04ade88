using System.Collections.Concurrent;
using Centrum.Devices;

namespace Centrum.Jobs.Execution;

/// <summary>
/// The devices of one job that a command waits on to connect: woken by their <c>Connected</c> events, and looking at
/// the connection again at the poll interval in case an event was missed.
/// </summary>
internal sealed class ConnectionWatch(string applicationId, DeviceRegistry devices, TimeProvider time, TimeSpan pollInterval)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public void Connected(string deviceId)
    {
        if (_waiting.TryRemove(deviceId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Whether the device is connected by <paramref name="deadline"/>.</summary>
    public async Task<bool> WaitAsync(string deviceId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting[deviceId] = waiter;
                if (devices.IsConnected(applicationId, deviceId))
                {
                    return true;
                }

                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var sleep = Task.Delay(left < pollInterval ? left : pollInterval, time, tick.Token);
                await Task.WhenAny(waiter.Task, sleep);
                await tick.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _waiting.TryRemove(deviceId, out _);
        }
    }
}
