using Centrum.Dashboards;
using Centrum.Outcomes;

namespace Centrum.Web.Pages.Dashboards.Tiles;

/// <summary>
/// The buckets of one line-chart capability a tile has read, so a refresh reads only the newest: a bucket that ended
/// more than <see cref="Settle"/> before the last read is closed and kept, the rest are read again (the open bucket
/// moves as values arrive) and buckets that left the tile's range are dropped. Used by one tile's reads, which run one
/// at a time.
/// </summary>
internal sealed class BucketSeries
{
    /// <summary>
    /// How long after a bucket's end its values may still become readable: a message's time is when the server took it
    /// in, and the telemetry writer commits a batch within milliseconds to seconds after that (more under a backlog).
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    private readonly SortedDictionary<DateTimeOffset, double> _values = [];
    private Tile? _tile;
    private DateTimeOffset? _reread;

    /// <summary>The capability's buckets over the tile's range, oldest first, after reading those not yet closed.</summary>
    public async Task<Outcome<IReadOnlyList<(DateTimeOffset Time, double Value)>>> ReadAsync(
        TileReader reader, Tile tile, TileCapability capability, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(tile, _tile))
        {
            // Another configuration (range, resolution, group) draws another series.
            _tile = tile;
            Reset();
        }

        var read = await reader.BucketsAsync(tile, capability, _reread, cancellationToken);
        if (!read.Succeeded)
        {
            Reset();
            return read.Problem;
        }

        var buckets = read.Value;
        var oldest = buckets.Now - buckets.Range;
        foreach (var stale in _values.Keys.Where(k => k >= buckets.From || k + buckets.Resolution <= oldest).ToList())
        {
            _values.Remove(stale);
        }

        foreach (var (time, value) in buckets.Values)
        {
            _values[time] = value;
        }

        var settled = buckets.Now - Settle;
        _reread = new DateTimeOffset(settled.UtcTicks - settled.UtcTicks % buckets.Resolution.Ticks, TimeSpan.Zero);
        return _values.Select(v => (v.Key, v.Value)).ToList();
    }

    private void Reset()
    {
        _values.Clear();
        _reread = null;
    }
}
