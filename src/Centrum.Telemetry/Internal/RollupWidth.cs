namespace Centrum.Telemetry.Internal;

/// <summary>
/// A rollup table and its bucket width. Minute and hour, not day: IoT Central's query windows reach back at most 30
/// days (<c>Centrum:Query:MaxWindow</c> 31), so an hourly rollup already answers the widest window from at most 744 rows
/// per stream and device, milliseconds; a day table would save little and cost a third pass over the raw rows.
/// </summary>
internal sealed record RollupWidth(string Table, long Seconds)
{
    public static readonly RollupWidth Minute = new("rollup_minute", 60);

    public static readonly RollupWidth Hour = new("rollup_hour", 3600);

    /// <summary>Widest first: a query takes the widest width that divides its window.</summary>
    public static readonly IReadOnlyList<RollupWidth> All = [Hour, Minute];

    public long Microseconds => Seconds * 1_000_000;

    public TimeSpan Span => TimeSpan.FromSeconds(Seconds);

    /// <summary>
    /// The start of the bucket holding <paramref name="time"/>. Buckets of both widths start on whole minutes and hours
    /// of UTC, as DuckDB's <c>time_bucket</c> places them (its origin 2000-01-03 00:00 is on an hour).
    /// </summary>
    public DateTime Floor(DateTime time) => new(time.Ticks - time.Ticks % Span.Ticks, DateTimeKind.Utc);

    public DateTime Ceiling(DateTime time) => time.Ticks % Span.Ticks == 0 ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : Floor(time) + Span;
}
