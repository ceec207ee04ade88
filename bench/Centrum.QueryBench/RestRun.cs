using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Centrum.QueryBench;

/// <summary>The query through <c>POST /api/query</c>, timed as a client sees it: request sent to response body read.</summary>
internal static class RestRun
{
    public const string PreviewVersion = "api-version=2022-10-31-preview";

    public static async Task<QueryReport> RunAsync(HttpClient http, string query, int repeats, CancellationToken cancellationToken)
    {
        // The TLS handshake and the token's first check stay out of the measurement.
        (await http.GetAsync($"api/deviceTemplates/{BenchFleet.TemplateId}?{BenchFleet.StableVersion}", cancellationToken)).EnsureSuccessStatusCode();

        var body = new JsonObject { ["query"] = query }.ToJsonString();
        var latencies = new List<double>();
        JsonArray? results = null;
        for (var i = 0; i < repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync($"api/query?{PreviewVersion}", BenchFleet.Json(body), cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The query answered {(int)response.StatusCode}: {text}");
            }

            results = JsonNode.Parse(text)!["results"]!.AsArray();
        }

        return new QueryReport("REST", latencies, results!);
    }
}
