namespace Centrum.Queues;

/// <summary>
/// Bytes held by a queue, bounded. One item larger than the whole budget is still admitted when nothing else is held,
/// so no message can be stuck forever; otherwise an item that does not fit is refused or waits for room.
/// </summary>
public sealed class ByteBudget(long capacity)
{
    private long _used;
    private int _waiting;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Used => Volatile.Read(ref _used);

    public long Capacity => capacity;

    public bool TryTake(long size)
    {
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used > 0 && used + size > capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + size, used) == used)
            {
                return true;
            }
        }
    }

    public async ValueTask TakeAsync(long size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var released = Volatile.Read(ref _released).Task;
            // Announced before trying, so a Return that the attempt misses is bound to see the waiter and signal it.
            Interlocked.Exchange(ref _waiting, 1);
            if (TryTake(size))
            {
                return;
            }

            await released.WaitAsync(cancellationToken);
        }
    }

    public void Return(long size)
    {
        Interlocked.Add(ref _used, -size);
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            Interlocked.Exchange(ref _released, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
