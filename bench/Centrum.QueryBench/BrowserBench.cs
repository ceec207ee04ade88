using System.Diagnostics;
using Microsoft.Playwright;

namespace Centrum.QueryBench;

/// <summary>
/// Debian's headless chromium driven by Playwright for .NET, as the browser tests drive it: Playwright's own browser
/// download is never run, and the person signs in through the account endpoint in the browser's own context (its
/// cookie jar), so the pages open as that member.
/// </summary>
internal sealed class BrowserBench : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>No sandbox (root), no GPU, nothing that reaches outside the machine on its own.</summary>
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserBench(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static async Task<BrowserBench> OpenAsync(string api, string email, string password, string application)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Arguments });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, BaseURL = api, ViewportSize = new() { Width = 1600, Height = 1200 } });
        var signedIn = await context.APIRequest.PostAsync("account/signin", new() { DataObject = new { email, password, application } });
        if (!signedIn.Ok)
        {
            throw new InvalidOperationException($"Signing in answered {signedIn.Status}: {await signedIn.TextAsync()}");
        }

        return new BrowserBench(playwright, browser, context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>
/// Samples the server's managed stacks with <c>dotnet-stack report</c> (a global tool) back to back while a measured
/// operation runs: what its threads were doing, for "where the time goes".
/// </summary>
internal sealed class StackSampler(int processId, string output) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public int Samples { get; private set; }

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary><c>dotnet tool install -g</c> puts the tool in ~/.dotnet/tools, which is not always on PATH.</summary>
    private static string Tool()
    {
        var installed = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-stack");
        return File.Exists(installed) ? installed : "dotnet-stack";
    }

    private async Task LoopAsync()
    {
        await using var file = new StreamWriter(output, append: true);
        while (!_stop.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = Process.Start(new ProcessStartInfo(Tool(), $"report -p {processId}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                await file.WriteLineAsync($"dotnet-stack did not start ({e.Message}): dotnet tool install -g dotnet-stack");
                return;
            }

            using var running = process;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            await file.WriteLineAsync($"=== sample {++Samples} at {DateTime.UtcNow:HH:mm:ss.fff}");
            await file.WriteLineAsync(text);
        }
    }

    /// <summary>Stops after the sample under way; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is not { } loop)
        {
            return;
        }

        _loop = null;
        await _stop.CancelAsync();
        await loop;
        _stop.Dispose();
    }
}
