using System.ComponentModel.DataAnnotations;

namespace Centrum.Storage.Writing;

/// <summary>
/// The metadata store's group commit (<see cref="MetadataWriter"/>). Section <c>Centrum:Storage:GroupCommit</c>.
/// </summary>
public sealed class MetadataWriterOptions
{
    public const string Section = "Centrum:Storage:GroupCommit";

    /// <summary>
    /// Writes waiting for the writer. When full, writers wait (a device's twin answer and a command's answer are
    /// delayed) until a commit makes room. Raise it only for fleets whose bursts exceed it; each waiting write holds its
    /// change in memory.
    /// </summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Most writes committed in one transaction. A commit's cost is mostly its one synced write to disk, so larger
    /// batches serve more writers per sync; a batch is also the unit a failing write sends back to be retried one by one.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>
    /// How long the writer waits for more writes after the first of a batch arrives. Zero (the default) commits what
    /// has queued at once: while one commit is on disk the next batch gathers by itself, so waiting adds latency
    /// without adding much to the batch. Raise it (a millisecond or two) only on storage whose sync costs far more
    /// than the wait.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;
}
