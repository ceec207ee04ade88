namespace Centrum.Storage.Writing;

/// <summary>
/// A question many writes of a batch ask of the store about keys of their own (does this device exist?), answered for
/// all of them with one read when the batch starts, in its transaction, instead of one read per write on the writer's
/// serial path. The area that owns the table defines the lookup; a write names its key when it is queued
/// (<see cref="MetadataWriter.WriteAsync(string, MetadataBatchKey?, Func{MetadataWriteUnit, CancellationToken, ValueTask}, CancellationToken)"/>)
/// and reads the answer from <see cref="MetadataWriteUnit.Exists"/>, which the batch's own writes keep current
/// (<see cref="MetadataWriteUnit.Added"/>, <see cref="MetadataWriteUnit.Removed"/>).
/// </summary>
public abstract class MetadataBatchLookup
{
    /// <summary>Keys one read asks about at most; the read is repeated per chunk.</summary>
    public const int Chunk = 500;

    /// <summary>Which of <paramref name="keys"/> (at most <see cref="Chunk"/>) of the application exist now.</summary>
    protected internal abstract Task<IReadOnlyCollection<string>> FindAsync(CentrumDbContext db, string applicationId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>A key a write asks a <see cref="MetadataBatchLookup"/> about.</summary>
public sealed record MetadataBatchKey(MetadataBatchLookup Lookup, string Key);

/// <summary>The answers of a batch's lookups, kept current by its writes.</summary>
internal sealed class BatchAnswers
{
    private readonly HashSet<(MetadataBatchLookup Lookup, string ApplicationId, string Key)> _asked = [];
    private readonly HashSet<(MetadataBatchLookup Lookup, string ApplicationId, string Key)> _existing = [];

    public static async Task<BatchAnswers> ReadAsync(CentrumDbContext db, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var answers = new BatchAnswers();
        foreach (var write in writes)
        {
            if (write.Key is { } key)
            {
                answers._asked.Add((key.Lookup, write.ApplicationId, key.Key));
            }
        }

        foreach (var group in answers._asked.GroupBy(k => (k.Lookup, k.ApplicationId), k => k.Key))
        {
            foreach (var keys in group.Chunk(MetadataBatchLookup.Chunk))
            {
                foreach (var found in await group.Key.Lookup.FindAsync(db, group.Key.ApplicationId, keys, cancellationToken))
                {
                    answers._existing.Add((group.Key.Lookup, group.Key.ApplicationId, found));
                }
            }
        }

        return answers;
    }

    public bool Exists(MetadataBatchLookup lookup, string applicationId, string key) =>
        _asked.Contains((lookup, applicationId, key))
            ? _existing.Contains((lookup, applicationId, key))
            : throw new InvalidOperationException($"'{key}' was not named when its write was queued; the batch did not look it up.");

    public void Added(MetadataBatchLookup lookup, string applicationId, string key)
    {
        _asked.Add((lookup, applicationId, key));
        _existing.Add((lookup, applicationId, key));
    }

    public void Removed(MetadataBatchLookup lookup, string applicationId, string key)
    {
        _asked.Add((lookup, applicationId, key));
        _existing.Remove((lookup, applicationId, key));
    }
}
