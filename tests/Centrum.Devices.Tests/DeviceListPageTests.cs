using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>
/// The device list as the page asks it, on real SQLite: search by a part of the id or display name, the filters, the
/// orders (each paged through by keyset, also while devices come and go), the connection state as the gateway holds
/// it, the caller's reach, and the pager's bounded count.
/// </summary>
public sealed class DeviceListPageTests : IAsyncLifetime
{
    private static readonly OrganizationReach All = OrganizationReach.WholeApplication;
    private DeviceStore _store = null!;

    private DeviceRegistry Registry => _store.Registry;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Templates.Add(App, "fan", "dtmi:com:example:Fan;1");
        _store.Templates.Add(App, "pump", "dtmi:com:example:Pump;1");
        _store.Organizations.Add(App, "north", "south");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Search_finds_a_part_of_the_id_or_of_the_display_name_in_any_case()
    {
        await CreateAsync("boiler-1", "Cellar Heater");
        await CreateAsync("HEATPUMP-2", "Roof");
        await CreateAsync("fan-3", "Hall fan");

        Assert.Equal(["HEATPUMP-2", "boiler-1"], await IdsAsync(new DeviceListQuery { Search = "heat" }));
        Assert.Equal(["fan-3"], await IdsAsync(new DeviceListQuery { Search = "  HALL " }));
        Assert.Empty(await IdsAsync(new DeviceListQuery { Search = "it's" }));
    }

    [Fact]
    public async Task Each_filter_narrows_the_list_and_filters_combine()
    {
        await CreateAsync("a", template: "fan", organizations: ["north"]);
        await CreateAsync("b", template: "pump", organizations: ["south"], enabled: false);
        await CreateAsync("c", template: "fan", organizations: ["south"], simulated: true);
        await CreateAsync("d", approved: false);

        Assert.Equal(["a", "c"], await IdsAsync(new DeviceListQuery { Template = "fan" }));
        Assert.Equal(["b", "c"], await IdsAsync(new DeviceListQuery { Organization = "south" }));
        Assert.Equal(["b"], await IdsAsync(new DeviceListQuery { Enabled = false }));
        Assert.Equal(["d"], await IdsAsync(new DeviceListQuery { Approved = false }));
        Assert.Equal(["c"], await IdsAsync(new DeviceListQuery { Simulated = true }));
        Assert.Equal(["c"], await IdsAsync(new DeviceListQuery { Template = "fan", Organization = "south" }));
        Assert.Equal(["a", "b", "d"], await IdsAsync(new DeviceListQuery { Simulated = false }));
    }

    [Fact]
    public async Task Connected_is_the_connection_the_gateway_holds_now()
    {
        foreach (var id in new[] { "a", "b", "c" })
        {
            await CreateAsync(id);
        }

        _store.Connections.Connect(App, "b");
        _store.Connections.Connect(OtherApp, "c");

        var connected = await PageAsync(new DeviceListQuery { Connected = true });
        Assert.Equal(["b"], connected.Devices.Select(d => d.Device.Id));
        Assert.True(connected.Devices[0].Connected);
        Assert.Equal(["a", "c"], await IdsAsync(new DeviceListQuery { Connected = false }));
        Assert.Equal([false, true, false], (await PageAsync(new DeviceListQuery())).Devices.Select(d => d.Connected));

        // A disabled device's connection is closed by the registry, and the list follows at once.
        Assert.True((await Registry.UpdateAsync(App, "b", w => w with { Enabled = false }, null, All, CancellationToken.None)).Succeeded);
        Assert.Empty(await IdsAsync(new DeviceListQuery { Connected = true }));
    }

    [Theory]
    [InlineData(DeviceListOrder.Id, false)]
    [InlineData(DeviceListOrder.Id, true)]
    [InlineData(DeviceListOrder.DisplayName, false)]
    [InlineData(DeviceListOrder.DisplayName, true)]
    [InlineData(DeviceListOrder.Template, false)]
    [InlineData(DeviceListOrder.Template, true)]
    [InlineData(DeviceListOrder.LastConnection, false)]
    [InlineData(DeviceListOrder.LastConnection, true)]
    public async Task Each_order_pages_through_every_device_once_in_order(DeviceListOrder order, bool descending)
    {
        var random = new Random(order.GetHashCode() * 2 + (descending ? 1 : 0));
        var names = new[] { "alpha", "Beta", "beta", null, "gamma" };
        var templates = new[] { "fan", "pump", null };
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var db = await _store.ContextAsync())
        {
            for (var i = 0; i < 40; i++)
            {
                // Ties on every key (names, templates and times repeat; some never connected), so the id must break them.
                db.Devices.Add(Row($"d-{random.Next(1000):D3}-{i}", names[random.Next(names.Length)], templates[random.Next(templates.Length)],
                    random.Next(4) == 0 ? null : start.AddSeconds(random.Next(5)).AddTicks(random.Next(3) * 5_000_000)));
            }

            await db.SaveChangesAsync();
        }

        var query = new DeviceListQuery { OrderBy = order, Descending = descending };
        var expected = await ExpectedOrderAsync(order, descending);

        Assert.Equal(expected, await IdsAsync(query, pageSize: 3));
    }

    [Fact]
    public async Task Keyset_paging_stays_stable_while_devices_are_added_and_removed()
    {
        for (var i = 0; i < 10; i++)
        {
            await CreateAsync($"d-{i}", $"Device {i % 3}");
        }

        var query = new DeviceListQuery { OrderBy = DeviceListOrder.DisplayName };
        var first = await PageAsync(query, pageSize: 4);
        // Before the page's end: a new device sorting there and the deletion of a seen one must not shift what follows.
        await CreateAsync("a-new", "Device 0");
        Assert.True((await Registry.DeleteAsync(App, first.Devices[0].Device.Id, All, CancellationToken.None)).Succeeded);
        var rest = new List<string>();
        for (var after = first.ContinueAfter; after is not null;)
        {
            var page = Assert.IsType<DeviceListPage>((await Registry.ListAsync(App, query, after, 4, All, CancellationToken.None)).Value);
            rest.AddRange(page.Devices.Select(d => d.Device.Id));
            after = page.ContinueAfter;
        }

        var seen = first.Devices.Select(d => d.Device.Id).Concat(rest).ToList();
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"d-{i}").Order(), seen.Order());
    }

    [Fact]
    public async Task A_limited_caller_lists_and_counts_only_the_devices_within_its_reach()
    {
        await CreateAsync("n-1", organizations: ["north"]);
        await CreateAsync("s-1", organizations: ["south"]);
        await CreateAsync("both-1", organizations: ["north", "south"]);
        await CreateAsync("app-wide-1");
        var north = OrganizationReach.Within(["north"]);
        var wide = OrganizationReach.Within(Enumerable.Range(0, 100).Select(i => $"other-{i}").Append("north"));

        foreach (var reach in new[] { north, wide })
        {
            var page = Assert.IsType<DeviceListPage>((await Registry.ListAsync(App, new DeviceListQuery(), null, 10, reach, CancellationToken.None)).Value);
            Assert.Equal(["both-1", "n-1"], page.Devices.Select(d => d.Device.Id));
            Assert.Equal(new DeviceCount(2, false), (await Registry.CountAsync(App, new DeviceListQuery(), reach, CancellationToken.None)).Value);
            Assert.Equal(["n-1"], (await Registry.ListAsync(App, new DeviceListQuery { Search = "n-" }, null, 10, reach, CancellationToken.None)).Value!.Devices.Select(d => d.Device.Id));
        }
    }

    [Fact]
    public async Task The_count_is_exact_up_to_its_limit_and_says_more_beyond()
    {
        await using (var db = await _store.ContextAsync())
        {
            db.Devices.AddRange(Enumerable.Range(0, DeviceRegistry.CountLimit + 1).Select(i => Row($"d-{i:D6}", i % 2 == 0 ? "even" : "odd", null, null)));
            await db.SaveChangesAsync();
        }

        Assert.Equal(new DeviceCount(DeviceRegistry.CountLimit, true), (await Registry.CountAsync(App, new DeviceListQuery(), All, CancellationToken.None)).Value);
        Assert.Equal(new DeviceCount(5_001, false), (await Registry.CountAsync(App, new DeviceListQuery { Search = "EVEN" }, All, CancellationToken.None)).Value);
        Assert.Equal(new DeviceCount(0, false), (await Registry.CountAsync(OtherApp, new DeviceListQuery(), All, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_search_longer_than_a_device_id_or_a_foreign_cursor_is_refused()
    {
        var tooLong = await Registry.ListAsync(App, new DeviceListQuery { Search = new string('x', DeviceListQuery.MaxSearchLength + 1) }, null, 10, All, CancellationToken.None);
        var foreign = await Registry.ListAsync(App, new DeviceListQuery { OrderBy = DeviceListOrder.Template }, "d-1", 10, All, CancellationToken.None);

        Assert.Equal(ProblemKind.Invalid, tooLong.Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, foreign.Problem?.Kind);
    }

    [Theory]
    [InlineData(DeviceListOrder.DisplayName, false, "IX_devices_display_name")]
    [InlineData(DeviceListOrder.DisplayName, true, "IX_devices_display_name")]
    [InlineData(DeviceListOrder.Template, false, "IX_devices_template")]
    [InlineData(DeviceListOrder.LastConnection, true, "IX_devices_last_connect")]
    public async Task Each_order_reads_its_index_rather_than_sorting_the_applications_devices(DeviceListOrder order, bool descending, string index)
    {
        for (var i = 0; i < 4; i++)
        {
            await CreateAsync($"d-{i}", $"Device {i}", "fan");
        }

        var query = new DeviceListQuery { OrderBy = order, Descending = descending };
        _store.Commands.Clear();
        var first = await PageAsync(query, pageSize: 2);
        Assert.True((await Registry.ListAsync(App, query, first.ContinueAfter, 2, All, CancellationToken.None)).Succeeded);

        var lists = _store.Commands.Executed.Where(c => c.Contains("ORDER BY", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lists.Count);
        foreach (var sql in lists)
        {
            var plan = await PlanAsync(sql);
            Assert.Contains($"USING INDEX {index}", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        }
    }

    /// <summary>SQLite's plan for a statement (its parameters unbound, as the plan does not depend on them).</summary>
    private async Task<string> PlanAsync(string sql)
    {
        await using var db = await _store.ContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"@\w+").Select(m => m.Value).Distinct())
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }

        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return string.Join("; ", steps);
    }

    private async Task<List<string>> ExpectedOrderAsync(DeviceListOrder order, bool descending)
    {
        await using var db = await _store.ContextAsync();
        var rows = db.Devices.Where(d => d.ApplicationId == App).AsEnumerable().ToList();
        Func<DeviceEntity, string> key = order switch
        {
            DeviceListOrder.DisplayName => d => d.DisplayName ?? "",
            DeviceListOrder.Template => d => d.TemplateId ?? "",
            DeviceListOrder.LastConnection => d => d.LastConnectTime?.UtcTicks.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) ?? "",
            _ => d => d.Id,
        };
        var sorted = descending
            ? rows.OrderByDescending(key, StringComparer.Ordinal).ThenByDescending(d => d.Id, StringComparer.Ordinal)
            : rows.OrderBy(key, StringComparer.Ordinal).ThenBy(d => d.Id, StringComparer.Ordinal);
        return sorted.Select(d => d.Id).ToList();
    }

    private static DeviceEntity Row(string id, string? name, string? template, DateTimeOffset? lastConnect) => new()
    {
        ApplicationId = App,
        Id = id,
        DisplayName = name,
        TemplateId = template,
        PrimaryKeyProtected = "unused",
        SecondaryKeyProtected = "unused",
        ETag = id,
        LastConnectTime = lastConnect,
    };

    private async Task CreateAsync(
        string id, string? name = null, string? template = null, string[]? organizations = null, bool enabled = true, bool simulated = false, bool approved = true)
    {
        var created = await Registry.CreateOrReplaceAsync(
            App, id, new DeviceWrite(name, template, enabled, simulated, organizations ?? [], approved), null, All, CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.Message);
    }

    private async Task<DeviceListPage> PageAsync(DeviceListQuery query, int pageSize = 100)
    {
        var page = await Registry.ListAsync(App, query, null, pageSize, All, CancellationToken.None);
        Assert.True(page.Succeeded, page.Problem?.Message);
        return page.Value;
    }

    /// <summary>Every page of the list, followed to its end.</summary>
    private async Task<List<string>> IdsAsync(DeviceListQuery query, int pageSize = 100)
    {
        var ids = new List<string>();
        string? after = null;
        do
        {
            var page = await Registry.ListAsync(App, query, after, pageSize, All, CancellationToken.None);
            Assert.True(page.Succeeded, page.Problem?.Message);
            ids.AddRange(page.Value.Devices.Select(d => d.Device.Id));
            after = page.Value.ContinueAfter;
        }
        while (after is not null);
        return ids;
    }
}
