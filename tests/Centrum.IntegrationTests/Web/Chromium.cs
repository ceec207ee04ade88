using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// One headless Debian chromium per test class (<c>IClassFixture&lt;Chromium&gt;</c>), driven by Playwright for .NET
/// through <see cref="BrowserTypeLaunchOptions.ExecutablePath"/>: Playwright's own browser download is never run
/// (these machines reach no browser download site). Each test opens its own context (<see cref="OpenAsync"/>).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Debian's package; <c>.ci/run</c> installs it when missing.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// No sandbox (the tests run as root in CI, where chromium's sandbox refuses to start), no GPU, and nothing that
    /// reaches outside the machine on its own (updates, sync, background requests, QUIC probes).
    /// </summary>
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"The browser tests need Debian's chromium at {ExecutablePath}: apt-get install -y chromium (.ci/run installs it).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
    }

    /// <summary>A fresh context (its own cookies and storage) on <paramref name="server"/>.</summary>
    internal Task<BrowserSession> OpenAsync(CentrumServer server) => BrowserSession.OpenAsync(Browser, server);

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
