using System.Buffers.Binary;
using Centrum.Identity.Authorization;
using Centrum.Simulation;
using Centrum.Web.Layout;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Screenshots of the main pages for the README, taken from a server on a fresh data folder with the first-run demo on
/// (the Climate Monitor template and its simulated devices), as a newcomer's first <c>dotnet run</c> shows them. In the
/// suite they go to the test's own folder and are checked (every page captured at the README's size, nothing fetched
/// from outside); <c>bench/screenshots.sh</c> sets <see cref="OutputVariable"/> to write them into docs/screenshots.
/// </summary>
public sealed class ScreenshotTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Where the pictures go when set (relative to the repository's root, or absolute).</summary>
    public const string OutputVariable = "CENTRUM_SCREENSHOTS";

    /// <summary>The README's picture size: a laptop screen, small enough to keep each PNG near 100 KB.</summary>
    private const int Width = 1280;
    private const int Height = 800;

    /// <summary>Points the overview's temperature chart holds before its picture is taken: a line, not a dot (each is a second more).</summary>
    private const int ChartPoints = 3;

    /// <summary>A message a second (the option's floor), so the charts have a line within seconds of the page opening.</summary>
    private static readonly Dictionary<string, string> Demo = new()
    {
        ["Centrum:Simulation:Demo"] = "true",
        ["Centrum:Simulation:TelemetryInterval"] = "00:00:01",
    };

    [Fact]
    public async Task The_main_pages_are_captured_at_the_readme_size_with_the_demo_running()
    {
        var output = Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured, Repository.Root)
            : Path.Combine(Path.GetTempPath(), "centrum-tests", "screenshots-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(output);
        await using var server = await CentrumServer.StartAsync(Demo);
        await using var browser = await chromium.OpenAsync(server);
        await browser.Page.SetViewportSizeAsync(Width, Height);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        var page = browser.Page;
        var taken = new List<string>();

        async Task TakeAsync(string name)
        {
            // Navigation moves focus to the page's heading (for screen readers), which draws its focus ring.
            await page.EvaluateAsync("() => document.activeElement?.blur()");
            var file = Path.Combine(output, name + ".png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, Type = ScreenshotType.Png });
            taken.Add(file);
        }

        await Assertions.Expect(page.GetByTestId("devices-simulated")).ToHaveTextAsync(SimulationDemo.Devices.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await TakeAsync("home");

        await page.GotoAsync("devices");
        await browser.WaitUntilInteractiveAsync();
        var first = "climatemonitor-sim-1";
        await Assertions.Expect(page.GetByTestId("status-" + first)).ToContainTextAsync("connected · enabled", new() { Timeout = 60_000 });
        await TakeAsync("devices");

        await page.GotoAsync("devices/" + first);
        await browser.WaitUntilInteractiveAsync();
        await page.WaitForFunctionAsync(
            $"() => document.querySelector('[data-telemetry=temperature] .js-plotly-plot')?.data?.[0]?.x?.length >= {ChartPoints}",
            null, new() { Timeout = 60_000 });
        await TakeAsync("device-overview");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Properties" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=properties] [data-property]").First).ToBeVisibleAsync();
        // The click leaves the pointer over the tab, which would draw its hover shade.
        await page.Mouse.MoveAsync(Width - 1, Height - 1);
        await TakeAsync("device-properties");

        // Template pages come with another part of the web application; captured once the drawer has them.
        if (NavEntries.All.FirstOrDefault(e => e.Href.Contains("template", StringComparison.OrdinalIgnoreCase)) is { } templates)
        {
            await page.GotoAsync(templates.Href);
            await browser.WaitUntilInteractiveAsync();
            await Assertions.Expect(page.GetByText("Climate Monitor").First).ToBeVisibleAsync();
            await TakeAsync("templates");
        }

        await page.GotoAsync("administration/audit-log");
        await browser.WaitUntilInteractiveAsync();
        await TakeAsync("audit-log");

        Assert.Empty(browser.ForeignRequests);
        Assert.All(taken, file =>
        {
            // A PNG's IHDR chunk follows its 8-byte signature and chunk header: width then height, big-endian (RFC 2083, 4.1.1).
            var header = new byte[24];
            using (var stream = File.OpenRead(file))
            {
                stream.ReadExactly(header);
            }

            Assert.Equal((Width, Height), (BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20))));
        });
    }
}
