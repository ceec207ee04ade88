using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Server.Hosting;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// The device-event log on the real metadata store, migrated as the server migrates it: a change and its events commit
/// together and are published only after the commit, with the ids the rows got; and under many concurrent writers a
/// reader that follows each application's log by id after its cursor (as export cursors and catch-up do) sees every
/// event exactly once and never skips one that commits after a larger id was read.
/// </summary>
public abstract class DeviceEventLogTests(MetadataStore store) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "events-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _services;
    private string? _postgres;

    protected IDbContextFactory<CentrumDbContext> Contexts => _services!.GetRequiredService<IDbContextFactory<CentrumDbContext>>();

    protected DeviceEventLog Log => _services!.GetRequiredService<DeviceEventLog>();

    /// <summary>The test's own database on PostgreSQL; null on SQLite.</summary>
    protected string? PostgreSqlConnectionString => _postgres;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Centrum:Storage:DataFolder"] = _folder };
        if (store == MetadataStore.PostgreSql)
        {
            _postgres = await PostgresCluster.CreateDatabaseAsync();
            settings["Centrum:Storage:Provider"] = "PostgreSql";
            settings["Centrum:Storage:PostgreSqlConnectionString"] = _postgres;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        CentrumHost.AddCentrumCore(services, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Events_are_published_after_the_commit_with_the_ids_their_rows_got()
    {
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();
        await using var db = await Contexts.CreateDbContextAsync();
        await using var append = Log.Open(db, "app-a");
        var first = append.Append(DeviceEventKind.Connected, "d1", new JsonObject { ["modelId"] = "dtmi:x;1" });
        var second = append.Append(DeviceEventKind.ReportedPropertiesChanged, "d1", new JsonObject { ["version"] = 2 }, "m1", "thermostat");
        Assert.False(subscription.Reader.TryRead(out _));

        await append.CommitAsync(CancellationToken.None);

        Assert.True(subscription.Reader.TryRead(out var published1));
        Assert.True(subscription.Reader.TryRead(out var published2));
        Assert.Equal((first.Id, DeviceEventKind.Connected, "app-a", "d1", null, null), (published1.Sequence, published1.Kind, published1.ApplicationId, published1.DeviceId, published1.ModuleId, published1.Component));
        Assert.Equal((second.Id, DeviceEventKind.ReportedPropertiesChanged, "m1", "thermostat"), (published2.Sequence, published2.Kind, published2.ModuleId, published2.Component));
        Assert.True(second.Id > first.Id);

        // What a reader of the log sees is what was published, data included.
        await using var reader = await Contexts.CreateDbContextAsync();
        var rows = await reader.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == "app-a").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([first.Id, second.Id], rows.Select(r => r.Id));
        Assert.Equal("""{"modelId":"dtmi:x;1"}""", rows[0].Data);
        Assert.Equal(published1.Time, rows[0].Time);
    }

    [Fact]
    public async Task A_unit_of_work_that_fails_writes_and_publishes_nothing()
    {
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();
        await using var db = await Contexts.CreateDbContextAsync();
        await using var append = Log.Open(db, "app-b");
        // A device of an application that does not exist breaks its foreign key on either store.
        db.Devices.Add(new DeviceEntity { ApplicationId = "app-b", Id = "d1", PrimaryKeyProtected = "", SecondaryKeyProtected = "", ETag = "e" });
        append.Append(DeviceEventKind.Created, "d1", null);

        await Assert.ThrowsAsync<DbUpdateException>(() => append.CommitAsync(CancellationToken.None));

        Assert.False(subscription.Reader.TryRead(out _));
        await using var reader = await Contexts.CreateDbContextAsync();
        Assert.False(await reader.DeviceEvents.AnyAsync(e => e.ApplicationId == "app-b"));
    }

    /// <summary>
    /// 16 writers × 200 units of work over 4 applications (each unit one to three events, chosen by a seeded generator),
    /// while a reader per application follows its log by id after its cursor. Every committed event must be read exactly
    /// once, per application in id order: an id that became visible after a larger one had been read would be skipped.
    /// </summary>
    [Fact]
    public async Task Readers_following_by_id_see_every_event_of_concurrent_writers_exactly_once_in_order()
    {
        const int writers = 16;
        const int unitsPerWriter = 200;
        string[] applications = ["app-1", "app-2", "app-3", "app-4"];
        var written = applications.ToDictionary(a => a, _ => new ConcurrentBag<long>());
        var read = applications.ToDictionary(a => a, _ => new List<long>());
        var cursors = applications.ToDictionary(a => a, _ => 0L);
        using var stop = new CancellationTokenSource();

        async Task<bool> ReadOnceAsync()
        {
            var any = false;
            foreach (var application in applications)
            {
                await using var db = await Contexts.CreateDbContextAsync();
                var cursor = cursors[application];
                var ids = await db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == application && e.Id > cursor)
                    .OrderBy(e => e.Id).Select(e => e.Id).Take(1000).ToListAsync();
                if (ids.Count > 0)
                {
                    read[application].AddRange(ids);
                    cursors[application] = ids[^1];
                    any = true;
                }
            }

            return any;
        }

        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ReadOnceAsync();
            }
        });

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            for (var unit = 0; unit < unitsPerWriter; unit++)
            {
                var application = applications[random.Next(applications.Length)];
                await using var db = await Contexts.CreateDbContextAsync();
                await using var append = Log.Open(db, application);
                var rows = Enumerable.Range(0, random.Next(1, 4))
                    .Select(i => append.Append(DeviceEventKind.ReportedPropertiesChanged, $"writer-{w}", new JsonObject { ["unit"] = unit, ["i"] = i }))
                    .ToList();
                await append.CommitAsync(CancellationToken.None);
                rows.ForEach(r => written[application].Add(r.Id));
            }
        })).ToList();

        await Task.WhenAll(tasks);
        await stop.CancelAsync();
        await reader;
        while (await ReadOnceAsync())
        {
        }

        foreach (var application in applications)
        {
            var ids = read[application];
            Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second), $"{application}: read out of id order");
            var missed = written[application].Except(ids).Order().ToList();
            Assert.True(missed.Count == 0, $"{application}: {missed.Count} committed events were never read after the cursor passed them (first {string.Join(", ", missed.Take(5))})");
            Assert.Equal(written[application].Order(), ids);
        }

        Assert.InRange(read.Values.Sum(r => r.Count), writers * unitsPerWriter, writers * unitsPerWriter * 3);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null)
        {
            await PostgresCluster.DropDatabaseAsync(_postgres);
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

public sealed class DeviceEventLogOnSqliteTests() : DeviceEventLogTests(MetadataStore.Sqlite);

public sealed class DeviceEventLogOnPostgreSqlTests() : DeviceEventLogTests(MetadataStore.PostgreSql)
{
    /// <summary>
    /// The ordering lock is per application: a second writer of an application waits while the first holds its
    /// transaction open and takes a larger id after the first commits; a writer of another application does not wait.
    /// </summary>
    [Fact]
    public async Task A_writer_waits_only_for_an_uncommitted_writer_of_its_own_application()
    {
        await using var db1 = await Contexts.CreateDbContextAsync();
        await using var first = Log.Open(db1, "app-x");
        await first.BeginAsync(CancellationToken.None);
        var firstRow = first.Append(DeviceEventKind.Connected, "d1", null);

        await using (var db2 = await Contexts.CreateDbContextAsync())
        {
            await using var other = Log.Open(db2, "app-y");
            other.Append(DeviceEventKind.Connected, "d2", null);
            await other.CommitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await using var db3 = await Contexts.CreateDbContextAsync();
        await using var second = Log.Open(db3, "app-x");
        var secondRow = second.Append(DeviceEventKind.Disconnected, "d1", null);
        var waiting = second.CommitAsync(CancellationToken.None);
        await Wait.UntilAsync(WaitsForAdvisoryLockAsync, TimeSpan.FromSeconds(30), "the second writer of app-x waits for the ordering lock");
        Assert.False(waiting.IsCompleted);

        await first.CommitAsync(CancellationToken.None);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(secondRow.Id > firstRow.Id);
    }

    private async Task<bool> WaitsForAdvisoryLockAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgreSqlConnectionString);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }
}
