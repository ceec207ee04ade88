using System.Globalization;
using System.Text.Json.Nodes;

namespace Centrum.Web.Pages.Dashboards.Tiles;

/// <summary>The plotly figures of the aggregate tiles: per device (bar, pie, heat map) and per bucket (line chart).</summary>
internal static class AggregateFigures
{
    /// <summary>The application's primary color and its companions (MudBlazor's default palette), one per capability.</summary>
    private static readonly string[] Colors = ["#594ae2", "#00c853", "#ff9800", "#2196f3", "#f44336", "#9c27b0"];

    public static JsonObject Bar(IReadOnlyList<TileAggregate> values)
    {
        var data = new JsonArray();
        var capabilities = values.Select(v => v.Capability).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < capabilities.Count; i++)
        {
            var own = values.Where(v => v.Capability == capabilities[i]).ToList();
            data.Add(new JsonObject
            {
                ["type"] = "bar", ["name"] = capabilities[i],
                ["x"] = Array(own.Select(v => (JsonNode?)v.DeviceId)), ["y"] = Array(own.Select(v => (JsonNode?)v.Value)),
                ["marker"] = new JsonObject { ["color"] = Colors[i % Colors.Length] },
            });
        }

        return Figure(data, new JsonObject { ["barmode"] = "group", ["showlegend"] = capabilities.Count > 1, ["height"] = 220 });
    }

    public static JsonObject Pie(IReadOnlyList<TileAggregate> values)
    {
        var several = values.Select(v => v.Capability).Distinct(StringComparer.Ordinal).Skip(1).Any();
        var data = new JsonArray(new JsonObject
        {
            ["type"] = "pie", ["hole"] = 0.4, ["sort"] = false,
            ["labels"] = Array(values.Select(v => (JsonNode?)(several ? $"{v.DeviceId} · {v.Capability}" : v.DeviceId))),
            ["values"] = Array(values.Select(v => (JsonNode?)v.Value)),
        });
        return Figure(data, new JsonObject { ["showlegend"] = true, ["height"] = 220, ["margin"] = new JsonObject { ["l"] = 8, ["r"] = 8, ["t"] = 8, ["b"] = 8 } });
    }

    public static JsonObject HeatMap(IReadOnlyList<TileAggregate> values)
    {
        var devices = values.Select(v => v.DeviceId).Distinct(StringComparer.Ordinal).ToList();
        var capabilities = values.Select(v => v.Capability).Distinct(StringComparer.Ordinal).ToList();
        var z = new JsonArray();
        foreach (var capability in capabilities)
        {
            z.Add(Array(devices.Select(d => values.FirstOrDefault(v => v.DeviceId == d && v.Capability == capability) is { } v ? (JsonNode?)v.Value : null)));
        }

        var data = new JsonArray(new JsonObject
        {
            ["type"] = "heatmap", ["x"] = Array(devices.Select(d => (JsonNode?)d)), ["y"] = Array(capabilities.Select(c => (JsonNode?)c)), ["z"] = z,
            ["colorscale"] = "Viridis",
        });
        return Figure(data, new JsonObject { ["height"] = 220 });
    }

    /// <summary>A line per capability, its points at the buckets' starts (UTC, as plotly reads a date without a zone).</summary>
    public static JsonObject Lines(IReadOnlyList<LineChartTile.Series> series)
    {
        var data = new JsonArray();
        for (var i = 0; i < series.Count; i++)
        {
            var buckets = series[i].Buckets;
            data.Add(new JsonObject
            {
                ["type"] = "scatter", ["mode"] = buckets.Count > 1 ? "lines" : "lines+markers",
                ["name"] = $"{series[i].Capability.Capability} ({series[i].Capability.Aggregate})",
                ["x"] = Array(buckets.Select(b => (JsonNode?)b.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))),
                ["y"] = Array(buckets.Select(b => (JsonNode?)b.Value)),
                ["line"] = new JsonObject { ["color"] = Colors[i % Colors.Length] },
            });
        }

        return Figure(data, new JsonObject { ["showlegend"] = series.Count > 1, ["height"] = 220, ["xaxis"] = new JsonObject { ["type"] = "date" } });
    }

    public static JsonObject Figure(JsonArray data, JsonObject layout) => new() { ["data"] = data, ["layout"] = layout };

    public static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);
}
