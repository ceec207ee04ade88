namespace Centrum.Storage.Writing;

/// <summary>
/// A write waiting in the writer's queue, and its caller's promise. A caller that gives up while the write still waits
/// takes it back (<see cref="TryWithdraw"/>); once the writer has taken it, it is committed or fails with its batch and
/// the caller learns which, so nothing is answered before its fate is known.
/// </summary>
internal sealed class PendingWrite(string applicationId, MetadataBatchKey? key, Func<MetadataWriteUnit, CancellationToken, ValueTask> apply)
    : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Withdrawn = 2;
    private int _state;

    public string ApplicationId { get; } = applicationId;

    /// <summary>What the write asks the batch's lookups (<see cref="MetadataWriteUnit.Exists"/>); the batch reads all of them at once.</summary>
    public MetadataBatchKey? Key { get; } = key;

    public Func<MetadataWriteUnit, CancellationToken, ValueTask> Apply { get; } = apply;

    /// <summary>The writer takes the write into a batch, unless its caller withdrew it first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>The caller withdraws the write, unless the writer already took it.</summary>
    public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
}
