using System.Globalization;
using System.Text;
using Centrum.Telemetry.Query;

namespace Centrum.Web.Pages.Explorer;

/// <summary>A telemetry field of a template, by component (null at the root) and name, with the aggregation asked of it.</summary>
public sealed record ExplorerField(string? Component, string Name, Aggregate Aggregate)
{
    /// <summary>The field as the query language names it: <c>name</c> or <c>component.name</c>.</summary>
    public string Path => Component is null ? Name : $"{Component}.{Name}";
}

/// <summary>
/// Writes what the explorer's form describes as a query in IoT Central's query language (IoT Central docs "How to use
/// the IoT Central REST API to query devices"), the text <c>POST /query</c> takes: the builder only writes text, the
/// query service parses and judges it. Without aggregation a row is one message's values with its device and time;
/// with aggregation the devices' values are aggregated together, per window when one is chosen.
/// </summary>
public static class ExplorerQuery
{
    /// <summary>The language's group-by windows the form offers (IoT Central's data explorer offers the same steps).</summary>
    public static IReadOnlyList<string> Windows { get; } = ["PT1M", "PT5M", "PT10M", "PT30M", "PT1H", "PT12H", "P1D"];

    /// <summary>The relative time ranges the form offers: last hour, day, 7 days, 30 days (IoT Central keeps 30 days).</summary>
    public static IReadOnlyList<string> Ranges { get; } = ["PT1H", "P1D", "P7D", "P30D"];

    /// <param name="range">A duration of <see cref="Ranges"/>, or null for the explicit <paramref name="from"/>–<paramref name="to"/>.</param>
    /// <param name="window">A duration of <see cref="Windows"/>, or null for no grouping.</param>
    /// <param name="top">At most this many rows (the query service caps it again), or null.</param>
    public static string Compose(string template, IReadOnlyList<ExplorerField> fields, string? window, string? range, DateTimeOffset? from, DateTimeOffset? to, int? top)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(fields);
        var text = new StringBuilder("SELECT ");
        if (top is { } n)
        {
            text.Append(CultureInfo.InvariantCulture, $"TOP {n} ");
        }

        var items = new List<string>();
        if (fields.All(f => f.Aggregate == Aggregate.None))
        {
            items.Add("$id");
            items.Add("$ts");
        }

        items.AddRange(fields.Select(f => f.Aggregate == Aggregate.None ? f.Path : $"{f.Aggregate.ToString().ToUpperInvariant()}({f.Path})"));
        text.Append(string.Join(", ", items)).Append(" FROM ").Append(template).Append(" WHERE WITHIN_WINDOW(");
        if (range is not null)
        {
            text.Append(range);
        }
        else
        {
            text.Append('\'').Append(Iso(from ?? DateTimeOffset.UnixEpoch)).Append('/').Append(Iso(to ?? DateTimeOffset.UnixEpoch)).Append('\'');
        }

        text.Append(')');
        if (window is not null)
        {
            text.Append(" GROUP BY WINDOW(").Append(window).Append(')');
        }

        return text.ToString();
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
}
