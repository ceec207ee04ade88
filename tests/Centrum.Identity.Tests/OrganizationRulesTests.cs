using Centrum.Identity.Authorization;
using Centrum.Identity.Organizations;
using Centrum.Outcomes;

namespace Centrum.Identity.Tests;

/// <summary>
/// The organization tree's rules are the identity area's, whoever calls it: depth, no cycles, nothing deleted while
/// devices, users, tokens or children belong to it, and a caller limited to organizations works only below its own.
/// </summary>
public sealed class OrganizationRulesTests : IAsyncLifetime
{
    private const string App = IdentityStore.App;
    private IdentityStore _store = null!;

    private OrganizationService Organizations => _store.Get<OrganizationService>();

    public async Task InitializeAsync() => _store = await IdentityStore.StartAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Organizations_nest_at_most_five_levels_deep()
    {
        string? parent = null;
        for (var level = 1; level <= OrganizationService.MaxDepth; level++)
        {
            var saved = await SaveAsync($"level-{level}", parent);
            Assert.True(saved.Succeeded, saved.Problem?.Message);
            parent = saved.Value.Id;
        }

        var tooDeep = await SaveAsync("level-6", parent);
        Assert.Equal(ProblemKind.Invalid, tooDeep.Problem?.Kind);
        Assert.Contains("at most 5 levels", tooDeep.Problem!.Message, StringComparison.Ordinal);
        Assert.Null(await Organizations.GetAsync(App, "level-6", CancellationToken.None));
    }

    [Fact]
    public async Task An_organization_cannot_move_below_itself_or_its_descendants()
    {
        Assert.True((await SaveAsync("a", null)).Succeeded);
        Assert.True((await SaveAsync("b", "a")).Succeeded);
        Assert.True((await SaveAsync("c", "b")).Succeeded);

        foreach (var below in new[] { "a", "b", "c" })
        {
            var cycle = await SaveAsync("a", below);
            Assert.Equal(ProblemKind.Invalid, cycle.Problem?.Kind);
            Assert.Contains("below itself", cycle.Problem!.Message, StringComparison.Ordinal);
        }

        Assert.Null((await Organizations.GetAsync(App, "a", CancellationToken.None))!.Parent);
    }

    [Fact]
    public async Task Bad_ids_names_and_parents_are_refused()
    {
        Assert.Equal(ProblemKind.Invalid, (await SaveAsync("Upper-Case", null)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Organizations.SaveAsync(App, "x", "", null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Organizations.SaveAsync(App, "x", new string('n', OrganizationService.MaxDisplayNameLength + 1), null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        var orphan = await SaveAsync("x", "nowhere");
        Assert.Equal(ProblemKind.Invalid, orphan.Problem?.Kind);
        Assert.Contains("does not exist", orphan.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_etag_changes_nothing()
    {
        var first = (await SaveAsync("a", null)).Value!;
        Assert.True((await Organizations.SaveAsync(App, "a", "Renamed", null, CallerHoldings.Operator, CancellationToken.None, first.ETag)).Succeeded);
        var stale = await Organizations.SaveAsync(App, "a", "Again", null, CallerHoldings.Operator, CancellationToken.None, first.ETag);
        Assert.Equal(ProblemKind.PreconditionFailed, stale.Problem?.Kind);
        Assert.Equal("Renamed", (await Organizations.GetAsync(App, "a", CancellationToken.None))!.DisplayName);
    }

    [Fact]
    public async Task An_organization_in_use_is_not_deleted_until_it_is_empty()
    {
        Assert.True((await SaveAsync("a", null)).Succeeded);
        Assert.True((await SaveAsync("b", "a")).Succeeded);
        await _store.AddDeviceAsync("sensor-1", "b");

        var withChild = await Organizations.DeleteAsync(App, "a", CallerHoldings.Operator, CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, withChild.Problem?.Kind);

        // The devices area answers that a device sits in "b".
        var withDevice = await Organizations.DeleteAsync(App, "b", CallerHoldings.Operator, CancellationToken.None);
        Assert.Equal(ProblemKind.Conflict, withDevice.Problem?.Kind);
        Assert.NotNull(await Organizations.GetAsync(App, "b", CancellationToken.None));

        Assert.True((await SaveAsync("lonely", null)).Succeeded);
        var deleted = await Organizations.DeleteAsync(App, "lonely", CallerHoldings.Operator, CancellationToken.None);
        Assert.Equal("lonely", deleted.Value?.Id);
        Assert.Equal(ProblemKind.NotFound, (await Organizations.DeleteAsync(App, "lonely", CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task Reach_is_the_subtree_and_a_limited_caller_works_only_below_its_own_organization()
    {
        Assert.True((await SaveAsync("a", null)).Succeeded);
        Assert.True((await SaveAsync("b", "a")).Succeeded);
        Assert.True((await SaveAsync("c", "b")).Succeeded);
        Assert.True((await SaveAsync("d", "a")).Succeeded);

        var reach = await Organizations.SubtreeAsync(App, ["b"], CancellationToken.None);
        Assert.Equal(["b", "c"], reach.Order(StringComparer.Ordinal));

        var limited = IdentityStore.Holding(reach, Permission.OrganizationsManage);
        Assert.True((await Organizations.SaveAsync(App, "e", "E", "c", limited, CancellationToken.None)).Succeeded);
        Assert.Equal(ProblemKind.Forbidden, (await Organizations.SaveAsync(App, "top", "Top", null, limited, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Organizations.SaveAsync(App, "f", "F", "d", limited, CancellationToken.None)).Problem?.Kind);

        // Its own root sits below "a", outside its reach: it may neither move nor delete it.
        Assert.Equal(ProblemKind.Forbidden, (await Organizations.SaveAsync(App, "b", "B", "c", limited, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Organizations.DeleteAsync(App, "b", limited, CancellationToken.None)).Problem?.Kind);

        // An organization outside its reach is not there for it.
        Assert.Equal(ProblemKind.NotFound, (await Organizations.DeleteAsync(App, "d", limited, CancellationToken.None)).Problem?.Kind);
        Assert.NotNull(await Organizations.GetAsync(App, "d", CancellationToken.None));
    }

    private Task<Outcome<Organization>> SaveAsync(string id, string? parent) =>
        Organizations.SaveAsync(App, id, id.ToUpperInvariant(), parent, CallerHoldings.Operator, CancellationToken.None);
}
