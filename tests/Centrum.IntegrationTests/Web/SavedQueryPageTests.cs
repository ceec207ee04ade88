using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// Saved data-explorer queries over the explorer tests' day of boiler telemetry: a query saved in the explorer and
/// pinned to a dashboard becomes a <c>dataExplorer</c> tile naming it (read back through REST in IoT Central's shape)
/// that shows the numbers <c>POST /api/query</c> answers; a personal query is invisible to another member; a query
/// opened, changed and saved is written in place, a concurrent save of the older version is refused as such and can be
/// saved as a new query; a renamed query reads back renamed, and a deleted one leaves its tile empty, saying so. Home shows the member's favorite
/// dashboard, or the application's default the member sees, with the member's reach. The editor moves and resizes a
/// tile by dragging it, offers every tile type with component capabilities, and REST reads both back.
/// </summary>
public sealed class SavedQueryPageTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Text = "SELECT AVG(temperature), MAX(probe.pressure) FROM dtmi:com:example:Boiler;1 WHERE WITHIN_WINDOW(P1D) GROUP BY WINDOW(PT1H)";

    [Fact]
    public async Task A_saved_query_pinned_to_a_dashboard_shows_what_post_query_answers_a_personal_one_stays_its_owners_and_home_shows_the_favorite()
    {
        await using var server = await CentrumServer.StartAsync();
        await ExplorerPageTests.SeedAsync(server, server.AdminHttp());
        var admin = server.AdminHttp();
        var made = await admin.PutAsync($"api/dashboards/ops?{Preview}", CentrumServer.Json(
            """{"displayName":"Operations","tiles":[{"displayName":"Notes","x":0,"y":0,"width":2,"height":2,"configuration":{"type":"markdown","description":"Boilers"}}]}"""));
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());

        // The administrator saves the explorer's query for the application and pins it to the dashboard.
        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppAdministrator);
        await browser.Page.GotoAsync("explorer");
        await browser.WaitUntilInteractiveAsync();
        var page = browser.Page;
        await ExplorerPageTests.BuildAsync(page);
        await Assertions.Expect(page.GetByTestId("explorer-query")).ToHaveTextAsync(Text);
        await JobPagesTests.Field(page, "saved-name").FillAsync("Boiler hours");
        await page.GetByTestId("saved-scope").SelectOptionAsync("application");
        await page.GetByTestId("saved-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Saved \"Boiler hours\".");
        var queryId = await page.GetByTestId("saved-list").InputValueAsync();
        Assert.Equal(32, queryId.Length);
        await page.GetByTestId("pin-dashboard").SelectOptionAsync("ops");
        await page.GetByTestId("pin-query").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Pinned \"Boiler hours\" to \"Operations\".");

        // REST reads the tile in IoT Central's shape: a dataExplorer tile naming the query, with its range, below the notes.
        var dashboard = JsonNode.Parse(await admin.GetStringAsync($"api/dashboards/ops?{Preview}"))!;
        var tile = dashboard["tiles"]!.AsArray().Single(t => (string?)t!["configuration"]!["type"] == "dataExplorer")!;
        Assert.Equal("Boiler hours", (string?)tile["displayName"]);
        Assert.Equal(2, (int)tile["y"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"type":"dataExplorer","queryRange":{"type":"time","duration":"P1D","resolution":"PT1H"},"query":"{{queryId}}"}"""),
            tile["configuration"]), tile.ToJsonString());

        // The tile shows what POST /api/query answers for the saved query.
        var expected = await ExplorerPageTests.QueryAsync(admin, Text);
        await page.GotoAsync("dashboards/ops");
        await browser.WaitUntilInteractiveAsync();
        var tileRows = page.GetByTestId("explorer-tile-row");
        await Assertions.Expect(tileRows).ToHaveCountAsync(expected.Count, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("explorer-tile-name")).ToHaveTextAsync("Boiler hours");
        var shown = await tileRows.EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))");
        ExplorerPageTests.AssertRows(expected, [.. shown]);

        // The editor: dragging the notes two cells right and one down, then widening them by a cell, reads back through REST.
        await page.GetByTestId("edit-dashboard").ClickAsync();
        var notes = page.Locator("[data-tile='Notes']");
        await DragAsync(page, notes.GetByTestId("drag-move"), 2, 1);
        await Assertions.Expect(notes).ToHaveAttributeAsync("data-x", "2");
        await Assertions.Expect(notes).ToHaveAttributeAsync("data-y", "1");
        await DragAsync(page, notes.GetByTestId("drag-resize"), 1, 0);
        await Assertions.Expect(notes).ToHaveAttributeAsync("data-width", "3");

        // The editor offers every tile type of the schema; a label without text is refused in TileRules' words before
        // anything is saved, and a KPI over the probe component's pressure is added.
        await Assertions.Expect(page.GetByTestId("tile-kind").Locator("option")).ToHaveCountAsync(Centrum.Dashboards.TileRules.TileTypes.Count);
        await page.GetByTestId("tile-kind").SelectOptionAsync("label");
        await page.GetByTestId("add-tile").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tile-editor-error")).ToHaveTextAsync("tile.configuration.text must not be empty.");
        await page.GetByTestId("tile-kind").SelectOptionAsync("kpi");
        await page.GetByTestId("tile-name").FillAsync("Peak pressure");
        await page.GetByTestId("tile-group").SelectOptionAsync("north-boilers");
        await Assertions.Expect(page.GetByTestId("tile-capability").Locator("option[value='probe.pressure']")).ToHaveCountAsync(1);
        await page.GetByTestId("tile-capability").SelectOptionAsync("probe.pressure");
        await page.GetByTestId("tile-aggregate").SelectOptionAsync("max");
        await page.GetByTestId("tile-duration").SelectOptionAsync("P1D");
        await page.GetByTestId("add-tile").ClickAsync();
        await Assertions.Expect(page.Locator("[data-tile='Peak pressure']")).ToHaveCountAsync(1);
        await page.GetByTestId("save-dashboard").ClickAsync();
        await Assertions.Expect(page.GetByTestId("edit-dashboard")).ToBeVisibleAsync();
        var tiles = JsonNode.Parse(await admin.GetStringAsync($"api/dashboards/ops?{Preview}"))!["tiles"]!.AsArray();
        var moved = tiles.Single(t => (string?)t!["displayName"] == "Notes")!;
        Assert.Equal((2, 1, 3, 2), ((int)moved["x"]!, (int)moved["y"]!, (int)moved["width"]!, (int)moved["height"]!));
        var kpi = tiles.Single(t => (string?)t!["displayName"] == "Peak pressure")!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"kpi","group":"north-boilers","devices":[],"capabilities":[{"capability":"probe.pressure","aggregateFunction":"max"}],"queryRange":{"type":"time","duration":"P1D"}}"""),
            kpi["configuration"]), kpi.ToJsonString());

        // A personal query is listed for its owner only; the operator sees the application's query, not the administrator's own.
        await page.GotoAsync("explorer");
        await browser.WaitUntilInteractiveAsync();
        await ExplorerPageTests.BuildAsync(page);
        await JobPagesTests.Field(page, "saved-name").FillAsync("Mine only");
        await page.GetByTestId("saved-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Saved \"Mine only\".");
        await Assertions.Expect(page.GetByTestId("saved-list").Locator("option")).ToHaveTextAsync(["(choose a saved query)", "Mine only (personal)", "Boiler hours"]);

        await using var other = await chromium.OpenAsync(server);
        var operatorEmail = await other.CreateMemberAsync(PermissionTables.PredefinedRoles["operator"]);
        await other.SignInAsync(operatorEmail);
        await other.Page.GotoAsync("explorer");
        await other.WaitUntilInteractiveAsync();
        await Assertions.Expect(other.Page.GetByTestId("saved-list").Locator("option")).ToHaveTextAsync(["(choose a saved query)", "Boiler hours"]);

        // The operator opens the application's query: the form is the saved query again.
        await other.Page.GetByTestId("saved-list").SelectOptionAsync(queryId);
        await other.Page.GetByTestId("saved-open").ClickAsync();
        await Assertions.Expect(other.Page.GetByTestId("explorer-query")).ToHaveTextAsync(Text);

        // Opened and changed, Save writes the same query in place: the same id, no new entry, and whoever opens it next
        // gets the change. A second administrator who opened it before is told that it changed rather than overwriting
        // it, and keeps their version with "Save as new".
        await using var second = await chromium.OpenAsync(server);
        await second.SignInAsAsync(BuiltInRoles.AppAdministrator);
        await second.Page.GotoAsync("explorer");
        await second.WaitUntilInteractiveAsync();
        await second.Page.GetByTestId("saved-list").SelectOptionAsync(queryId);
        await second.Page.GetByTestId("saved-open").ClickAsync();
        await Assertions.Expect(second.Page.GetByTestId("explorer-query")).ToHaveTextAsync(Text);

        var edited = Text.Replace("WINDOW(PT1H)", "WINDOW(PT30M)", StringComparison.Ordinal);
        await page.GetByTestId("saved-list").SelectOptionAsync(queryId);
        await page.GetByTestId("saved-open").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Opened \"Boiler hours\".");
        await page.GetByTestId("explorer-window").SelectOptionAsync("PT30M");
        await Assertions.Expect(page.GetByTestId("explorer-query")).ToHaveTextAsync(edited);
        await Assertions.Expect(page.GetByTestId("saved-save")).ToHaveTextAsync("Save \"Boiler hours\"");
        await page.GetByTestId("saved-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Updated \"Boiler hours\".");
        await Assertions.Expect(page.GetByTestId("saved-list").Locator("option")).ToHaveTextAsync(["(choose a saved query)", "Mine only (personal)", "Boiler hours"]);
        Assert.Equal(queryId, await page.GetByTestId("saved-list").InputValueAsync());
        await other.Page.GetByTestId("saved-open").ClickAsync();
        await Assertions.Expect(other.Page.GetByTestId("explorer-query")).ToHaveTextAsync(edited);

        await second.Page.GetByTestId("explorer-window").SelectOptionAsync("PT10M");
        await second.Page.GetByTestId("saved-save").ClickAsync();
        await Assertions.Expect(second.Page.GetByTestId("saved-message")).ToHaveTextAsync(
            "\"Boiler hours\" was changed elsewhere since you opened it; open it again, or save yours as a new query.");
        await JobPagesTests.Field(second.Page, "saved-name").FillAsync("Boiler ten minutes");
        await second.Page.GetByTestId("saved-scope").SelectOptionAsync("application");
        await second.Page.GetByTestId("saved-save-as").ClickAsync();
        await Assertions.Expect(second.Page.GetByTestId("saved-message")).ToHaveTextAsync("Saved \"Boiler ten minutes\".");
        Assert.NotEqual(queryId, await second.Page.GetByTestId("saved-list").InputValueAsync());
        await other.Page.GetByTestId("saved-open").ClickAsync();
        await Assertions.Expect(other.Page.GetByTestId("explorer-query")).ToHaveTextAsync(edited);

        // Renamed, it reads back renamed; deleted, the pinned tile stays and says its query is gone.
        await page.GetByTestId("saved-list").SelectOptionAsync(queryId);
        await JobPagesTests.Field(page, "saved-rename-name").FillAsync("Boiler hourly");
        await page.GetByTestId("saved-rename").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Renamed to \"Boiler hourly\".");
        await Assertions.Expect(page.GetByTestId("saved-list").Locator("option")).ToHaveTextAsync(["(choose a saved query)", "Mine only (personal)", "Boiler hourly", "Boiler ten minutes"]);
        await page.GetByTestId("saved-list").SelectOptionAsync(queryId);
        await page.GetByTestId("saved-delete").ClickAsync();
        await Assertions.Expect(page.GetByTestId("saved-message")).ToHaveTextAsync("Deleted \"Boiler hourly\".");
        await page.GotoAsync("dashboards/ops");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("explorer-tile-empty")).ToContainTextAsync("was deleted");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"api/dashboards/ops?{Preview}")).StatusCode);

        // Home: the member's own favorite, else the application's default it sees, else the welcome text; a default
        // dashboard placed in north counts, for a north operator, only north's devices.
        var northOps = await admin.PutAsync($"api/dashboards/northops?{Preview}", CentrumServer.Json(
            """{"displayName":"North operations","favorite":true,"organizations":["north"],"tiles":[{"displayName":"Boilers","x":0,"y":0,"width":2,"height":2,"configuration":{"type":"deviceCount"}}]}"""));
        Assert.True(northOps.IsSuccessStatusCode, await northOps.Content.ReadAsStringAsync());
        await page.GetByTestId("favorite-dashboard").ClickAsync();
        await Assertions.Expect(page.GetByTestId("unfavorite-dashboard")).ToBeVisibleAsync();
        await page.GotoAsync("");
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("home-dashboard")).ToHaveAttributeAsync("data-dashboard", "ops");
        await Assertions.Expect(page.GetByTestId("explorer-tile-empty")).ToBeVisibleAsync();

        await using var scoped = await chromium.OpenAsync(server);
        var scopedEmail = await scoped.CreateMemberAsync(PermissionTables.PredefinedRoles["org-operator"], organization: "north");
        await scoped.SignInAsync(scopedEmail);
        await scoped.Page.GotoAsync("");
        await scoped.WaitUntilInteractiveAsync();
        await Assertions.Expect(scoped.Page.GetByTestId("home-dashboard")).ToHaveAttributeAsync("data-dashboard", "northops");
        await Assertions.Expect(scoped.Page.GetByTestId("device-count")).ToHaveTextAsync("2");

        // The administrator clears its favorite: its home shows the application's default it sees (all three boilers).
        await page.GetByTestId("unfavorite-dashboard").ClickAsync();
        await Assertions.Expect(page.GetByTestId("favorite-dashboard")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await browser.WaitUntilInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("home-dashboard")).ToHaveAttributeAsync("data-dashboard", "northops");
        await Assertions.Expect(page.GetByTestId("device-count")).ToHaveTextAsync("3");
        Assert.Empty(browser.ForeignRequests);
        Assert.Empty(other.ForeignRequests);
        Assert.Empty(second.ForeignRequests);
        Assert.Empty(scoped.ForeignRequests);
    }

    /// <summary>Drags a handle by whole grid cells (160 px and an 8 px gap, centrum.css) with the mouse, in steps as a hand would.</summary>
    private static async Task DragAsync(IPage page, ILocator handle, int columns, int rows)
    {
        const int Pitch = 168;
        var box = await handle.BoundingBoxAsync() ?? throw new InvalidOperationException("The drag handle is not on the page.");
        var (x, y) = (box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x + columns * Pitch, y + rows * Pitch, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }
}
