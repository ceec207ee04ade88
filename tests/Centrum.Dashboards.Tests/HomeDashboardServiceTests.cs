using System.Text.Json;
using Centrum.Organizations;
using Centrum.Outcomes;

namespace Centrum.Dashboards.Tests;

/// <summary>The home page's dashboard on a real SQLite store: each member's own favorite, the application's default otherwise, both only as seen.</summary>
public sealed class HomeDashboardServiceTests
{
    private const string App = DashboardStore.App;
    private const string Alice = "alice@example.com";
    private const string Bob = "bob@example.com";
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;

    private static DashboardWrite Write(string name, bool personal = false, bool favorite = false, params string[] organizations) =>
        new(name, [new Tile("", "Notes", 0, 0, 2, 2, JsonDocument.Parse("""{"type":"markdown","description":"Hi"}""").RootElement.Clone())], personal, favorite, organizations);

    [Fact]
    public async Task Each_member_keeps_its_own_favorite_and_falls_back_to_the_applications_default_it_sees()
    {
        await using var store = await DashboardStore.StartAsync();
        store.Organizations.Add(App, "north");
        store.Organizations.Add(App, "south");
        var north = OrganizationReach.Within(["north"]);
        Assert.True((await store.Dashboards.CreateAsync(App, "south", Bob, Write("A south default", favorite: true, organizations: "south"), null, All, default)).Succeeded);
        Assert.Null(await store.Home.HomeAsync(App, Alice, north, default));

        Assert.True((await store.Dashboards.CreateAsync(App, "north", Bob, Write("North default", favorite: true, organizations: "north"), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(App, "plain", Bob, Write("Plain"), null, All, default)).Succeeded);
        Assert.True((await store.Dashboards.CreateAsync(App, "mine", Alice, Write("Mine", personal: true), null, All, default)).Succeeded);

        // Without a favorite, the default the member sees: the south one is out of the north member's reach.
        Assert.Equal("north", (await store.Home.HomeAsync(App, Alice, north, default))?.Id);
        Assert.Equal("south", (await store.Home.HomeAsync(App, Bob, All, default))?.Id);

        // Alice's favorite is hers: Bob's home stays the default, and nobody marks a dashboard it does not see.
        Assert.True((await store.Home.MarkAsync(App, "mine", Alice, north, default)).Succeeded);
        Assert.Equal("mine", (await store.Home.HomeAsync(App, Alice, north, default))?.Id);
        Assert.Equal("south", (await store.Home.HomeAsync(App, Bob, All, default))?.Id);
        Assert.Equal(ProblemKind.NotFound, (await store.Home.MarkAsync(App, "mine", Bob, All, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await store.Home.MarkAsync(App, "south", Alice, north, default)).Problem?.Kind);
        Assert.Equal("mine", await store.Home.FavoriteAsync(App, Alice, default));

        // One favorite per member: marking another replaces it; a deleted favorite is passed over; clearing it returns to the default.
        Assert.True((await store.Home.MarkAsync(App, "plain", Bob, All, default)).Succeeded);
        Assert.Equal("plain", (await store.Home.HomeAsync(App, Bob, All, default))?.Id);
        Assert.True((await store.Home.MarkAsync(App, "north", Bob, All, default)).Succeeded);
        Assert.Equal("north", (await store.Home.HomeAsync(App, Bob, All, default))?.Id);
        Assert.True((await store.Dashboards.DeleteAsync(App, "mine", Alice, All, default)).Succeeded);
        Assert.Equal("north", (await store.Home.HomeAsync(App, Alice, north, default))?.Id);
        await store.Home.ClearAsync(App, Bob, default);
        Assert.Null(await store.Home.FavoriteAsync(App, Bob, default));
        Assert.Equal("south", (await store.Home.HomeAsync(App, Bob, All, default))?.Id);
        Assert.Null(await store.Home.HomeAsync(DashboardStore.OtherApp, Bob, All, default));
    }
}
