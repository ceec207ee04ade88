using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Web.Pages.Explorer;

/// <summary>One line of the result chart: its name, and its points' times (UTC text, as plotly reads them) and values.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<string> Times, IReadOnlyList<double?> Values)
{
    /// <summary>
    /// The result's numeric columns against <c>$ts</c>: one series per device and field when rows carry <c>$id</c>
    /// (values without aggregation), one per field otherwise (the language aggregates the devices together). Rows
    /// without <c>$ts</c> (an aggregate over the whole range) are one point each, at no time.
    /// </summary>
    public static IReadOnlyList<ChartSeries> From(IReadOnlyList<string> columns, IReadOnlyList<JsonObject> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var fields = columns.Where(c => c is not "$id" and not "$ts").ToList();
        var series = new Dictionary<string, (List<string> Times, List<double?> Values)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var time = row["$ts"] is JsonValue ts && ts.GetValueKind() == JsonValueKind.String ? ts.GetValue<string>() : "";
            var device = row["$id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : null;
            foreach (var field in fields)
            {
                if (row[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
                {
                    continue;
                }

                var name = device is null ? field : $"{device} · {field}";
                if (!series.TryGetValue(name, out var points))
                {
                    series[name] = points = ([], []);
                }

                points.Times.Add(time);
                points.Values.Add(double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture));
            }
        }

        return series.Select(s => new ChartSeries(s.Key, s.Value.Times, s.Value.Values)).ToList();
    }
}
