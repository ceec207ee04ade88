using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// A map tile over the operator's tile server: with <c>Centrum:Web:MapTileUrl</c> naming a raster XYZ server (a real
/// Kestrel one inside the test), a dashboard's telemetry map draws over that server's tiles, the browser asks it for
/// the tile holding the device's position, and the device's position is drawn on the map; nothing else is fetched.
/// </summary>
public sealed class DashboardMapTileTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Model = "dtmi:com:example:Tracker;1";
    private const double Latitude = 47.61;
    private const double Longitude = -122.33;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Template = """
        {"@type":["ModelDefinition","DeviceModel"],"displayName":"Tracker","capabilityModel":{"@id":"dtmi:com:example:Tracker;1","@type":"Interface","@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
          {"@type":"Telemetry","name":"location","schema":"geopoint"}]}}
        """;

    [Fact]
    public async Task A_map_tile_draws_the_devices_position_over_tiles_from_the_configured_tile_server()
    {
        var address = LoopbackAddresses.Next();
        await using var tiles = await MapTileServer.StartAsync(address);
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Web:MapTileUrl"] = tiles.Template }, address);
        var admin = server.AdminHttp();
        var template = await admin.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(Model)}?{DeviceApi.Version}", CentrumServer.Json(Template));
        Assert.True(template.IsSuccessStatusCode, await template.Content.ReadAsStringAsync());
        var key = await admin.CreateDeviceAsync("tracker-1", $$"""{"template":"{{Model}}"}""");
        var sent = await NodeDevice.RunAsync(server, new
        {
            connectionString = NodeDevice.ConnectionString(server, "tracker-1", key),
            action = "telemetry",
            messages = new[] { new { body = new { location = new { lat = Latitude, lon = Longitude } }, contentType = "application/json", contentEncoding = "utf-8" } },
        }, Timeout);
        Assert.Contains(sent, e => (string?)e["event"] == "sent");

        var group = await admin.PutAsync($"api/deviceGroups/trackers?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["displayName"] = "Trackers", ["filter"] = $"SELECT * FROM devices WHERE $template = \"{Model}\"",
        }.ToJsonString()));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        var dashboard = await admin.PutAsync($"api/dashboards/fleet?{Preview}", CentrumServer.Json("""
            {"displayName":"Fleet","tiles":[{"displayName":"Where","x":0,"y":0,"width":4,"height":3,
              "configuration":{"type":"mapTelemetry","group":"trackers","devices":[],"capabilities":[{"capability":"location","aggregateFunction":"count"}]}}]}
            """));
        Assert.True(dashboard.IsSuccessStatusCode, await dashboard.Content.ReadAsStringAsync());

        await using var browser = await chromium.OpenAsync(server);
        await browser.SignInAsAsync(BuiltInRoles.AppOperator);
        await browser.Page.GotoAsync("dashboards/fleet");
        await browser.WaitUntilInteractiveAsync();
        var map = browser.Page.Locator("[data-tile='Where'] [data-testid='map']");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-base-map", "tiles", new() { Timeout = 30_000 });

        // The position is drawn as a map marker at the device's coordinates, over a raster layer from the tile server.
        await Wait.UntilAsync(
            async () => await map.EvaluateAsync<JsonElement>("e => e.data ? e.data.map(t => [t.type, t.lat[0], t.lon[0]]) : null") is { ValueKind: JsonValueKind.Array } drawn
                && drawn.EnumerateArray().Any(t => t[0].GetString() == "scattermap" && t[1].GetDouble() == Latitude && t[2].GetDouble() == Longitude),
            Timeout, "the map draws the tracker's position");
        Assert.Equal(tiles.Template, await map.EvaluateAsync<string>("e => e.layout.map.layers[0].source[0]"));
        await Assertions.Expect(map.Locator("canvas")).Not.ToHaveCountAsync(0);

        // The browser asked the tile server for the tile under the position, at the map's zoom or near it.
        await Wait.UntilAsync(
            () => Task.FromResult(tiles.Requested.Any(t => MapTileServer.Covers(t, Latitude, Longitude))),
            Timeout, "the browser requests the tile holding the position");
        Assert.All(tiles.Requested, t => Assert.InRange(t.Z, 0, 6));
        Assert.Empty(browser.ForeignRequests);
    }
}
