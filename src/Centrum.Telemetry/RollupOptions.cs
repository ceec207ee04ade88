using System.ComponentModel.DataAnnotations;

namespace Centrum.Telemetry;

/// <summary>
/// Section <c>Centrum:Telemetry:Rollups</c>: the per-minute and per-hour summaries that answer aggregate queries
/// grouped by WINDOW without reading every stored value.
/// </summary>
public sealed class RollupOptions
{
    /// <summary>
    /// Whether the roller runs and queries read the rollups. Turn it off only to compare with the raw plan: without it
    /// an hourly aggregate over 30 days reads every value in the window (about a minute for 864 million points on two
    /// cores). Turning it on again catches up from where the rollups stopped.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often the roller summarizes what has arrived. A pass rolls the buckets that have closed, so passes more often
    /// than a minute mostly find nothing; queries read raw rows for whatever is not rolled yet, so a longer interval
    /// costs query time, never correctness.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Most messages one roller transaction summarizes. Catching up on a large store (after an upgrade, or a store
    /// seeded in bulk) goes in steps of this many, each committed with its watermark; the default keeps a step's
    /// hash table near 100 MB on one-field telemetry and a step around ten seconds on two cores.
    /// </summary>
    [Range(1_000, 1_000_000_000)]
    public long MaxMessagesPerPass { get; set; } = 20_000_000;
}
