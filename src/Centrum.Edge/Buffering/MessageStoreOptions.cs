using System.ComponentModel.DataAnnotations;

namespace Centrum.Edge.Buffering;

/// <summary>Section <c>Edge:Store</c>: where and how much the edge keeps while the cloud is out of reach.</summary>
public sealed class MessageStoreOptions
{
    /// <summary>The SQLite file that holds the messages. Put it on storage that survives a reboot.</summary>
    [Required]
    public string Path { get; set; } = "centrum-edge-store.db";

    /// <summary>
    /// Most bytes of messages kept (bodies, properties and senders; the file adds SQLite's pages and indexes, see
    /// docs/benchmarks.md). A message that would pass it is refused, so its sender is never acknowledged for it.
    /// </summary>
    [Range(1L << 20, long.MaxValue)]
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>
    /// How long a message may wait for its endpoint before it is dropped: IoT Edge's
    /// <c>storeAndForwardConfiguration.timeToLiveSecs</c> of the <c>$edgeHub</c> desired properties, 7,200 s unless the
    /// deployment says otherwise.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>Messages waiting for the writer before appenders wait (backpressure on the downstream connections).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most messages one commit writes; concurrent appenders share a commit up to this many.</summary>
    [Range(1, 100_000)]
    public int MaxBatch { get; set; } = 1_000;
}
