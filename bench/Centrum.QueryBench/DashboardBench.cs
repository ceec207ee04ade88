using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Centrum.QueryBench;

/// <summary>
/// A dashboard of line-chart tiles over a device group of the bench fleet, opened in the browser: time from navigation
/// to every tile drawn (each tile's line holding its buckets), cold (the first open after the server started) and warm;
/// next to the same tile queries through <c>POST /api/query</c>, one after another and all at once, so the ratio says
/// what the page adds over its queries. The run fails unless every tile drew the buckets that query answers.
/// </summary>
internal static class DashboardBench
{
    public const string GroupId = "bench-fleet";

    public const string DashboardId = "benchdashboard";

    /// <summary>The tiles' aggregations, in turn: IoT Central's tile offers these for a numeric telemetry.</summary>
    private static readonly string[] Aggregates = ["avg", "min", "max", "sum", "count"];

    /// <summary>Every tile in: each tile's line (plotly keeps the drawn traces on the element) holding buckets.</summary>
    private const string Drawn = """
        n => {
          const tiles = [...document.querySelectorAll('.dashboard-tile[data-tile-type="lineChart"]')];
          return tiles.length === n && tiles.every(t => {
            const plot = t.querySelector('[data-testid="line-chart"]');
            return plot && plot.data && plot.data[0] && plot.data[0].x.length > 0;
          });
        }
        """;

    private const string TileStates = """
        () => [...document.querySelectorAll('.dashboard-tile')].map(t => {
          const plot = t.querySelector('[data-testid="line-chart"]');
          const error = t.querySelector('[data-testid="tile-error"]');
          return `${t.dataset.tile}: buckets ${plot && plot.data && plot.data[0] ? plot.data[0].x.length : 'no plot'}` + (error ? ', error ' + error.textContent : '');
        }).join('; ')
        """;

    /// <summary>The buckets each tile's line holds.</summary>
    private const string BucketsDrawn = """() => [...document.querySelectorAll('.dashboard-tile [data-testid="line-chart"]')].map(p => p.data[0].x.length)""";

    /// <summary>
    /// The resolution a tile of this range reads at, the finest that cuts it into at most 300 buckets (the page's
    /// <c>TileReader.Resolution</c>), so the bench's tiles name the resolution they are drawn at.
    /// </summary>
    private static string Resolution(int days) => days switch
    {
        1 => "PT5M",
        7 => "PT1H",
        30 => "PT12H",
        _ => throw new ArgumentException("A tile's time range is one of IoT Central's: 1, 7 or 30 days.", nameof(days)),
    };

    /// <summary>
    /// The query a line-chart tile runs for one capability on its first read (the page's <c>TileReader.BucketsAsync</c>),
    /// in the query language: per bucket of its resolution the sum, count, minimum and maximum it composes the tile's
    /// aggregate from. Later refreshes read only the newest buckets.
    /// </summary>
    public static string TileQuery(int days) =>
        $"SELECT $ts, SUM(temperature) AS sum, COUNT(temperature) AS count, MIN(temperature) AS min, MAX(temperature) AS max FROM {BenchFleet.TemplateId} WHERE WITHIN_WINDOW(P{days}D) GROUP BY WINDOW({Resolution(days)})";

    /// <summary>The group of the whole bench fleet and a dashboard of <paramref name="tiles"/> line charts over it, through REST.</summary>
    public static async Task SetupAsync(HttpClient http, int tiles, int days, CancellationToken cancellationToken)
    {
        var group = new JsonObject { ["displayName"] = "Bench fleet", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{BenchFleet.TemplateId}\"" };
        await BenchFleet.EnsureAsync(await http.PutAsync($"api/deviceGroups/{GroupId}?{BenchFleet.StableVersion}", BenchFleet.Json(group.ToJsonString()), cancellationToken), cancellationToken);
        var duration = days == 7 ? "P1W" : days == 30 ? "P30D" : days == 1 ? "P1D" : throw new ArgumentException("A tile's time range is one of IoT Central's: 1, 7 or 30 days.", nameof(days));
        var list = new JsonArray();
        for (var i = 0; i < tiles; i++)
        {
            list.Add(new JsonObject
            {
                ["displayName"] = $"Temperature {Aggregates[i % Aggregates.Length]} {i + 1}",
                ["x"] = (i % 3) * 4, ["y"] = (i / 3) * 2, ["width"] = 4, ["height"] = 2,
                ["configuration"] = new JsonObject
                {
                    ["type"] = "lineChart", ["group"] = GroupId, ["devices"] = new JsonArray(),
                    ["capabilities"] = new JsonArray(new JsonObject { ["capability"] = "temperature", ["aggregateFunction"] = Aggregates[i % Aggregates.Length] }),
                    ["queryRange"] = new JsonObject { ["type"] = "time", ["duration"] = duration, ["resolution"] = Resolution(days) },
                },
            });
        }

        var dashboard = new JsonObject { ["displayName"] = "Bench dashboard", ["tiles"] = list };
        await BenchFleet.EnsureAsync(
            await http.PutAsync($"api/dashboards/{DashboardId}?{RestRun.PreviewVersion}", BenchFleet.Json(dashboard.ToJsonString()), cancellationToken), cancellationToken);
    }

    public static async Task<int> RunAsync(DashboardSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var page = new List<double>();
        int[] buckets;
        await using (var browser = await BrowserBench.OpenAsync(settings.Api, settings.Email, settings.Password, settings.Application))
        {
            for (var i = 0; i <= settings.Repeats; i++)
            {
                page.Add(await RenderAsync(browser.Page, settings.Tiles));
            }

            buckets = await browser.Page.EvaluateAsync<int[]>(BucketsDrawn);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"page  cold {page[0]:F0} ms; warm {string.Join(", ", page.Skip(1).Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))} ms; buckets per tile {string.Join("/", buckets)}"));
            if (settings.ServerProcess is { } pid)
            {
                await using var sampler = new StackSampler(pid, settings.StackOutput!);
                sampler.Start();
                var sampled = await RenderAsync(browser.Page, settings.Tiles);
                await sampler.DisposeAsync();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stacks: {sampler.Samples} samples of the server during one more render ({sampled:F0} ms) in {settings.StackOutput}"));
            }
        }

        using var http = BenchFleet.Client(settings.Api, settings.Token, settings.Ca);
        (await http.GetAsync($"api/deviceTemplates/{BenchFleet.TemplateId}?{BenchFleet.StableVersion}", cancellationToken)).EnsureSuccessStatusCode();
        var query = TileQuery(settings.Days);
        var sequential = new List<double>();
        var parallel = new List<double>();
        var rows = 0;
        for (var i = 0; i < settings.Repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var t = 0; t < settings.Tiles; t++)
            {
                rows = await QueryAsync(http, query, cancellationToken);
            }

            sequential.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, settings.Tiles).Select(_ => QueryAsync(http, query, cancellationToken)));
            parallel.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var warm = QueryReport.Median(page.Skip(1).ToList());
        var (seq, par) = (QueryReport.Median(sequential), QueryReport.Median(parallel));
        output.WriteLine($"tile query ({settings.Tiles} tiles, each once per open): {query}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"page  cold {page[0]:F0} ms; warm p50 {warm:F0} ms (min {page.Skip(1).Min():F0}, max {page.Skip(1).Max():F0}, {settings.Repeats} opens); buckets per tile {string.Join("/", buckets.Distinct())}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"REST  {settings.Tiles} queries one after another p50 {seq:F0} ms; all at once p50 {par:F0} ms ({settings.Repeats} runs each, {rows} rows a query)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio page warm / REST sequential {warm / seq:F2}; / REST parallel {warm / par:F2}"));
        // The range slides between the last render and the queries: the oldest bucket may lose its last values meanwhile.
        return buckets.Length == settings.Tiles && buckets.All(b => Math.Abs(b - rows) <= 1)
            ? 0
            : Fail(output, $"the tiles drew {string.Join("/", buckets)} buckets, not the {rows} the tile query answers");
    }

    private static async Task<double> RenderAsync(IPage page, int tiles)
    {
        var started = Stopwatch.GetTimestamp();
        await page.GotoAsync($"dashboards/{DashboardId}", new() { WaitUntil = WaitUntilState.Commit });
        try
        {
            await page.WaitForFunctionAsync(Drawn, tiles, new() { Timeout = 600_000 });
        }
        catch (TimeoutException)
        {
            // Say which tiles were not in, and why if they show an error, rather than only that time ran out.
            var state = await page.EvaluateAsync<string>(TileStates);
            throw new InvalidOperationException($"Not every tile was drawn within 10 minutes: {state}");
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<int> QueryAsync(HttpClient http, string query, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync($"api/query?{RestRun.PreviewVersion}", BenchFleet.Json(new JsonObject { ["query"] = query }.ToJsonString()), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The query answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!["results"]!.AsArray().Count;
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine(message);
        return 1;
    }
}

internal sealed record DashboardSettings(
    string Api, string Token, string Ca, string Email, string Password, string Application, int Tiles, int Days, int Repeats, int? ServerProcess, string? StackOutput);
