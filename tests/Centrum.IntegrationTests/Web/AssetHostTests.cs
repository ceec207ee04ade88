using Centrum.Identity.Authorization;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Every script, stylesheet, font and image the pages use is served by the server itself: plants and these machines
/// have no internet, so a CDN reference would leave the pages unstyled or dead.
/// </summary>
public sealed class AssetHostTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Reads every URL a page loads or references: elements' sources and links, and stylesheets' url()s.</summary>
    private const string ReferencedUrls = """
        () => {
            const urls = [...document.querySelectorAll('script[src], img[src], iframe[src], source[src], link[href]')]
                .map(e => e.src || e.href);
            for (const sheet of document.styleSheets) {
                if (sheet.href) urls.push(sheet.href);
                for (const rule of sheet.cssRules) {
                    for (const match of rule.cssText.matchAll(/url\(["']?([^"')]+)/g)) urls.push(new URL(match[1], sheet.href || document.baseURI).href);
                    if (rule.href) urls.push(new URL(rule.href, sheet.href || document.baseURI).href);
                }
            }
            return urls.concat(performance.getEntriesByType('resource').map(e => e.name));
        }
        """;

    [Fact]
    public async Task The_pages_reference_and_load_nothing_from_another_host()
    {
        await using var server = await CentrumServer.StartAsync();
        await using var browser = await chromium.OpenAsync(server);
        var email = await browser.CreateMemberAsync(BuiltInRoles.AppAdministrator);

        var seen = new List<string>();
        await browser.Page.GotoAsync("signin");
        seen.AddRange(await browser.Page.EvaluateAsync<string[]>(ReferencedUrls));
        await browser.SignInAsync(email);
        foreach (var path in new[] { "", "administration/audit-log" })
        {
            await browser.Page.GotoAsync(path);
            await browser.WaitUntilInteractiveAsync();
            seen.AddRange(await browser.Page.EvaluateAsync<string[]>(ReferencedUrls));
        }

        // The pages did load the server's scripts and styles (so the check below looked at something).
        Assert.Contains(seen, u => u.Contains("/_framework/blazor.web", StringComparison.Ordinal));
        Assert.Contains(seen, u => u.Contains("/_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal) && u.Contains(".css", StringComparison.Ordinal));
        var foreign = seen.Where(u => u.StartsWith("http", StringComparison.Ordinal) && new Uri(u).Host != server.Address.ToString()).Distinct().ToList();
        Assert.True(foreign.Count == 0, "Referenced from another host: " + string.Join(", ", foreign));
        Assert.Empty(browser.ForeignRequests);
    }
}
