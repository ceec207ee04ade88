namespace Centrum.Devices.Internal;

/// <summary>
/// One device's writes of a kind, one after another in the order they were asked for: the next waits until the one
/// before it has committed, so two of them never share a group commit (whose inserts of one table EF Core may issue in
/// any order) and the device's log keeps them in their real order. Devices are independent: only a device with a
/// write in flight holds an entry, so memory follows the writes in flight, not the fleet.
/// </summary>
internal sealed class DeviceTurns
{
    private readonly Dictionary<(string ApplicationId, string DeviceId), Task> _tails = [];

    /// <summary>Runs <paramref name="write"/> once every earlier write of the device has finished (committed or failed).</summary>
    public async Task RunAsync(string applicationId, string deviceId, Func<Task> write)
    {
        var key = (applicationId, deviceId);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? previous;
        lock (_tails)
        {
            previous = _tails.GetValueOrDefault(key);
            _tails[key] = done.Task;
        }

        try
        {
            if (previous is not null)
            {
                await previous;
            }

            await write();
        }
        finally
        {
            lock (_tails)
            {
                if (_tails.TryGetValue(key, out var tail) && tail == done.Task)
                {
                    _tails.Remove(key);
                }
            }

            done.SetResult();
        }
    }
}
