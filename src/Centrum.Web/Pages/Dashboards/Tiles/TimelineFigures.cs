using System.Globalization;
using System.Text.Json.Nodes;

namespace Centrum.Web.Pages.Dashboards.Tiles;

/// <summary>
/// The plotly figures of event and state charts: as IoT Central draws them, a timeline per device (devices on the y
/// axis, time on the x axis) with a mark at each value; an event chart marks each event with its value as text, a
/// state chart colors each mark by the state it names, one legend entry per state.
/// </summary>
internal static class TimelineFigures
{
    private static readonly string[] Colors = ["#594ae2", "#00c853", "#ff9800", "#2196f3", "#f44336", "#9c27b0", "#795548", "#607d8b"];

    public static JsonObject Events(IReadOnlyList<TileSample> samples)
    {
        var data = new JsonArray(new JsonObject
        {
            ["type"] = "scatter", ["mode"] = "markers", ["name"] = "events",
            ["x"] = Times(samples), ["y"] = AggregateFigures.Array(samples.Select(s => (JsonNode?)s.DeviceId)),
            ["text"] = AggregateFigures.Array(samples.Select(s => (JsonNode?)TileReader.ValueText(s.Value))),
            ["marker"] = new JsonObject { ["symbol"] = "diamond", ["size"] = 10, ["color"] = Colors[0] },
        });
        return AggregateFigures.Figure(data, Layout(samples, showLegend: false));
    }

    public static JsonObject States(IReadOnlyList<TileSample> samples)
    {
        var data = new JsonArray();
        var states = samples.Select(s => TileReader.ValueText(s.Value)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < states.Count; i++)
        {
            var own = samples.Where(s => TileReader.ValueText(s.Value) == states[i]).ToList();
            data.Add(new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = states[i],
                ["x"] = Times(own), ["y"] = AggregateFigures.Array(own.Select(s => (JsonNode?)s.DeviceId)),
                ["marker"] = new JsonObject { ["symbol"] = "square", ["size"] = 12, ["color"] = Colors[i % Colors.Length] },
            });
        }

        return AggregateFigures.Figure(data, Layout(samples, showLegend: true));
    }

    private static JsonObject Layout(IReadOnlyList<TileSample> samples, bool showLegend) => new()
    {
        ["height"] = 220, ["showlegend"] = showLegend,
        ["yaxis"] = new JsonObject { ["type"] = "category", ["categoryorder"] = "category ascending", ["automargin"] = true },
        ["xaxis"] = new JsonObject { ["type"] = "date", ["gridcolor"] = "#eeeeee" },
        ["hovermode"] = "closest",
        ["meta"] = samples.Count,
    };

    private static JsonArray Times(IEnumerable<TileSample> samples) =>
        AggregateFigures.Array(samples.Select(s => (JsonNode?)s.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)));
}
