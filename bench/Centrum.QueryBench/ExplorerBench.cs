using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Centrum.QueryBench;

/// <summary>
/// The data explorer page running an hourly average over the bench template's whole seeded span: the query is built in
/// the page's form as a person builds it, then timed from pressing Run to the result shown (the row count, the table
/// being the page's first view) and, once the chart view is chosen, to the chart drawn. The page's own query text is
/// saved for the REST and direct runs, so all three run the same statement.
/// </summary>
internal static class ExplorerBench
{
    private const string Field = "temperature";

    public static async Task<int> RunAsync(ExplorerSettings settings, TextWriter output)
    {
        await using var browser = await BrowserBench.OpenAsync(settings.Api, settings.Email, settings.Password, settings.Application);
        var page = browser.Page;
        await page.GotoAsync("explorer");
        // The form answers once the page's circuit is connected: the layout marks itself when it rendered interactively.
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 120_000 });
        await page.GetByTestId("explorer-template").SelectOptionAsync(BenchFleet.TemplateId, new() { Timeout = 120_000 });
        await page.GetByTestId("field-" + Field).CheckAsync(new() { Timeout = 120_000 });
        await page.GetByTestId("aggregate-" + Field).SelectOptionAsync("Avg");
        await page.GetByTestId("explorer-window").SelectOptionAsync("PT1H");
        await page.GetByTestId("explorer-range").SelectOptionAsync("explicit");
        await Input(page, "explorer-from").FillAsync(settings.From);
        await Input(page, "explorer-to").FillAsync(settings.To);
        await Input(page, "explorer-to").BlurAsync();
        var query = (await page.GetByTestId("explorer-query").TextContentAsync())!.Trim();
        await File.WriteAllTextAsync(settings.QueryOutput, query);

        // Cold: the first run after the server started, to the result in the page's first view (the table).
        var cold = await RunAsync(page, chart: false);
        var rows = await page.GetByTestId("explorer-count").TextContentAsync();
        var started = Stopwatch.GetTimestamp();
        await page.GetByTestId("explorer-view-chart").ClickAsync();
        await ChartDrawnAsync(page);
        var firstChart = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var warm = new List<double>();
        for (var i = 0; i < settings.Repeats; i++)
        {
            warm.Add(await RunAsync(page, chart: true));
        }

        var latencies = new List<double> { cold };
        latencies.AddRange(warm);
        new QueryReport("page", latencies, []).Save(settings.Output);
        output.WriteLine($"page query: {query}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"page  run to result (table) cold {cold:F0} ms; chart view chosen to chart drawn {firstChart:F0} ms (plotly.js loads); " +
            $"run to chart drawn warm p50 {QueryReport.Median(warm):F0} ms (min {warm.Min():F0}, max {warm.Max():F0}, {warm.Count} runs); {rows}"));
        if (settings.ServerProcess is { } pid)
        {
            await using var sampler = new StackSampler(pid, settings.StackOutput!);
            sampler.Start();
            var sampled = await RunAsync(page, chart: true);
            await sampler.DisposeAsync();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stacks: {sampler.Samples} samples of the server during one more run ({sampled:F0} ms) in {settings.StackOutput}"));
        }

        return 0;
    }

    /// <summary>Presses Run and waits for the run to end (the page's progress bar comes and goes) and the result to show.</summary>
    private static async Task<double> RunAsync(IPage page, bool chart)
    {
        var running = page.GetByTestId("explorer-running");
        var started = Stopwatch.GetTimestamp();
        await page.GetByTestId("explorer-run").ClickAsync();
        try
        {
            await running.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            // A run quicker than the page's polling came and went unseen; the result check below still holds.
        }

        await running.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 600_000 });
        if (await page.GetByTestId("explorer-error").CountAsync() > 0)
        {
            throw new InvalidOperationException("The page refused the query: " + await page.GetByTestId("explorer-error").TextContentAsync());
        }

        await page.GetByTestId("explorer-count").WaitForAsync();
        if (chart)
        {
            await ChartDrawnAsync(page);
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task ChartDrawnAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => { const p = document.getElementById('explorer-plot'); return p && p.data && p.data.length > 0 && p.data[0].x.length > 0 && p.querySelector('.scatterlayer .trace'); }", null, new() { Timeout = 120_000 });

    private static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}

internal sealed record ExplorerSettings(
    string Api, string Email, string Password, string Application, string From, string To, int Repeats, string Output, string QueryOutput, int? ServerProcess, string? StackOutput);
