using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.QueryBench;

/// <summary>One side's runs of the query: the first is cold (just after the database was opened), the rest warm.</summary>
internal sealed record QueryReport(string Label, IReadOnlyList<double> LatenciesMs, JsonArray Results)
{
    public double ColdMs => LatenciesMs[0];

    public IReadOnlyList<double> WarmMs => LatenciesMs.Skip(1).ToList();

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public string Summary()
    {
        var warm = WarmMs;
        var warmText = warm.Count == 0 ? "no warm runs"
            : string.Create(CultureInfo.InvariantCulture, $"warm p50 {Median(warm):F1} ms (min {warm.Min():F1}, max {warm.Max():F1}, {warm.Count} runs)");
        return string.Create(CultureInfo.InvariantCulture, $"{Label,-7} cold {ColdMs:F1} ms; {warmText}; {Results.Count} rows");
    }

    public void Save(string path) => File.WriteAllText(path, new JsonObject
    {
        ["label"] = Label,
        ["latenciesMs"] = new JsonArray(LatenciesMs.Select(l => (JsonNode)l).ToArray()),
        ["results"] = Results.DeepClone(),
    }.ToJsonString());

    public static QueryReport Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return new QueryReport(
            (string)json["label"]!, json["latenciesMs"]!.AsArray().Select(l => (double)l!).ToList(), json["results"]!.AsArray().DeepClone().AsArray());
    }

    /// <summary>The first difference between two result sets: row count, keys, timestamps, numbers beyond <paramref name="tolerance"/>.</summary>
    public static string? Difference(JsonArray a, JsonArray b, double tolerance)
    {
        if (a.Count != b.Count)
        {
            return $"{a.Count} rows against {b.Count}";
        }

        for (var i = 0; i < a.Count; i++)
        {
            var (x, y) = (a[i]!.AsObject(), b[i]!.AsObject());
            if (!x.Select(p => p.Key).SequenceEqual(y.Select(p => p.Key)))
            {
                return $"row {i}: columns {string.Join(',', x.Select(p => p.Key))} against {string.Join(',', y.Select(p => p.Key))}";
            }

            foreach (var (key, value) in x)
            {
                var other = y[key];
                var same = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && other is JsonValue o && o.GetValueKind() == JsonValueKind.Number
                    ? Math.Abs((double)v - (double)o) <= tolerance * Math.Max(1, Math.Abs((double)v))
                    : JsonNode.DeepEquals(value, other);
                if (!same)
                {
                    return $"row {i}, {key}: {value?.ToJsonString()} against {other?.ToJsonString()}";
                }
            }
        }

        return null;
    }
}
