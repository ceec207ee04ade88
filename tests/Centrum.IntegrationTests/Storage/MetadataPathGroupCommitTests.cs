using System.Diagnostics.Metrics;
using System.Text.Json;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Gateway.Sessions;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Server.Hosting;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// The rest of the metadata path in the group commit, on both providers, composed as the server composes it: MQTT
/// session saves and connectivity records of many devices share commits, each device's records keep the order they
/// were asked in, a commit that fails acknowledges none of its callers, and devices created by many concurrent callers
/// share commits with the id's uniqueness intact (two PUTs of one new id: one creates, the other replaces; two creates:
/// one conflicts), each device's created event published once, and a device the store refuses fails alone.
/// </summary>
public abstract class MetadataPathGroupCommitTests(MetadataStore store) : IAsyncLifetime
{
    private const int Devices = 40;
    private const int RecordsPerDevice = 6;
    private static readonly string[] Applications = ["app-a", "app-b"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "metadata-path-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _services;
    private string? _postgres;

    private IDbContextFactory<CentrumDbContext> Contexts => _services!.GetRequiredService<IDbContextFactory<CentrumDbContext>>();

    private DeviceRegistry Registry => _services!.GetRequiredService<DeviceRegistry>();

    private static string Device(int d) => $"d{d:D2}";

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
        services.AddSingleton<IDeviceConnections, NoConnections>();
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
        await using var db = await Contexts.CreateDbContextAsync();
        foreach (var application in Applications)
        {
            db.Applications.Add(new ApplicationEntity { Id = application, DisplayName = application, HubHostName = application + ".localhost", IdScope = "0ne0000000" + application[^1] });
            for (var d = 0; d < Devices; d++)
            {
                db.Devices.Add(new DeviceEntity { ApplicationId = application, Id = Device(d), PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
            }
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Connectivity_records_and_session_saves_of_many_devices_share_commits_and_keep_each_devices_order()
    {
        var sessions = new SessionStore(Contexts, _services!.GetRequiredService<MetadataWriter>(), TimeProvider.System);
        using var commits = new CommitSizes(_services!.GetRequiredService<IMeterFactory>());
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();

        // Every device of every application at once, as a connect storm and its disconnects: each device's records asked
        // one after another without waiting for the one before (a takeover's connect racing the old connection's end),
        // and its session saved at each connect with what it subscribed to by then.
        await Task.WhenAll(Applications.SelectMany(a => Enumerable.Range(0, Devices).Select(d => Task.Run(async () =>
        {
            var records = new List<Task>();
            for (var r = 0; r < RecordsPerDevice; r++)
            {
                records.Add(Registry.RecordConnectivityAsync(a, Device(d), connected: r % 2 == 0, null, CancellationToken.None));
                if (r % 2 == 0)
                {
                    var filters = Enumerable.Range(0, r / 2 + 1).ToDictionary(f => $"$iothub/filter-{f}/#", _ => (byte)1);
                    await sessions.SaveAsync(a, Device(d), filters, CancellationToken.None);
                }
            }

            await Task.WhenAll(records);
        }))));

        await using var db = await Contexts.CreateDbContextAsync();
        var events = await db.DeviceEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        var devices = await db.Devices.AsNoTracking().ToDictionaryAsync(d => (d.ApplicationId, d.Id));
        var stored = await db.MqttSessions.AsNoTracking().ToDictionaryAsync(s => (s.ApplicationId, s.ClientId));
        var expected = Enumerable.Range(0, RecordsPerDevice).Select(r => r % 2 == 0 ? nameof(DeviceEventKind.Connected) : nameof(DeviceEventKind.Disconnected)).ToList();
        foreach (var application in Applications)
        {
            for (var d = 0; d < Devices; d++)
            {
                // In the order asked: connected, disconnected, connected, … never two of a kind in a row.
                Assert.Equal(expected, events.Where(e => e.ApplicationId == application && e.DeviceId == Device(d)).Select(e => e.Kind));
                var device = devices[(application, Device(d))];
                Assert.NotNull(device.LastConnectTime);
                Assert.True(device.LastDisconnectTime >= device.LastConnectTime, $"{application}/{Device(d)} disconnected before its last connect");

                // The last save is the session: every filter subscribed by the last connect.
                var filters = JsonSerializer.Deserialize<Dictionary<string, byte>>(stored[(application, Device(d))].Subscriptions)!;
                Assert.Equal(RecordsPerDevice / 2, filters.Count);
            }
        }

        Assert.Equal(Applications.Length * Devices * RecordsPerDevice, events.Count);

        // Subscribers heard exactly the log, each application's events in id order.
        var heard = new List<DeviceEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            heard.Add(e);
        }

        Assert.Equal(events.Select(e => e.Id), heard.Select(e => e.Sequence).Order());
        foreach (var application in Applications)
        {
            var ids = heard.Where(e => e.ApplicationId == application).Select(e => e.Sequence).ToList();
            Assert.Equal(ids.Order(), ids);
        }

        // The point: commits were shared, not one per record or save.
        var writes = Applications.Length * Devices * (RecordsPerDevice + RecordsPerDevice / 2);
        Assert.Equal(writes, commits.Writes);
        Assert.True(commits.Commits < writes / 2, $"{commits.Commits} commits for {writes} writes");
    }

    [Fact]
    public async Task Racing_saves_of_one_session_end_as_the_last_one_queued_and_a_session_never_stored_costs_no_delete()
    {
        var sessions = new SessionStore(Contexts, _services!.GetRequiredService<MetadataWriter>(), TimeProvider.System);
        var saves = new[]
        {
            new Dictionary<string, byte>(),
            new Dictionary<string, byte> { ["$iothub/methods/POST/#"] = 0 },
            new Dictionary<string, byte> { ["$iothub/methods/POST/#"] = 0, ["$iothub/twin/res/#"] = 0 },
        };

        // Each device's saves queued back to back (first an insert, then updates of a row the same batch may have only
        // just added), every device at once: each ends with its last save, twice over.
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(Applications.SelectMany(a => Enumerable.Range(0, Devices).SelectMany(d => saves.Select(f => sessions.SaveAsync(a, Device(d), f, CancellationToken.None)))));
            foreach (var application in Applications)
            {
                for (var d = 0; d < Devices; d++)
                {
                    Assert.Equal(saves[^1], await sessions.LoadAsync(application, Device(d), CancellationToken.None));
                }
            }
        }

        using var commits = new CommitSizes(_services!.GetRequiredService<IMeterFactory>());
        await Task.WhenAll(Applications.SelectMany(a => Enumerable.Range(0, Devices).Select(d => sessions.DeleteAsync(a, Device(d), CancellationToken.None))));
        Assert.Equal(Applications.Length * Devices, commits.Writes);

        // A clean-session client that never had a session (most of a storm of them) queues no write at all.
        await Task.WhenAll(Applications.SelectMany(a => Enumerable.Range(0, Devices).Select(d => sessions.DeleteAsync(a, Device(d), CancellationToken.None))));
        Assert.Equal(Applications.Length * Devices, commits.Writes);
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.MqttSessions.CountAsync());
    }

    [Fact]
    public async Task A_connectivity_commit_that_fails_answers_every_caller_with_an_error_and_acknowledges_none()
    {
        await ExecuteAsync(store == MetadataStore.Sqlite
            ? ["CREATE TRIGGER refuse_device_updates BEFORE UPDATE ON devices BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"]
            : [
                "CREATE FUNCTION refuse_by_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
                "CREATE TRIGGER refuse_device_updates BEFORE UPDATE ON devices FOR EACH ROW EXECUTE FUNCTION refuse_by_test()",
            ]);
        using var commits = new CommitSizes(_services!.GetRequiredService<IMeterFactory>());
        var attempts = Applications.SelectMany(a => Enumerable.Range(0, Devices).Select(d => Registry.RecordConnectivityAsync(a, Device(d), true, null, CancellationToken.None))).ToList();
        foreach (var attempt in attempts)
        {
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => attempt);
        }

        Assert.Equal(attempts.Count, commits.Failed);
        Assert.Equal(0, commits.Writes);
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.DeviceEvents.CountAsync());
        Assert.Equal(0, await db.Devices.CountAsync(d => d.LastConnectTime != null));
    }

    [Fact]
    public async Task Devices_created_by_many_callers_share_commits_each_id_once_and_a_refused_device_fails_alone()
    {
        const int distinct = 120;
        const int raced = 30;
        await ExecuteAsync(store == MetadataStore.Sqlite
            ? ["CREATE TRIGGER refuse_bad_devices BEFORE INSERT ON devices WHEN NEW.Id LIKE 'bad-%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"]
            : [
                "CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"Id\" LIKE 'bad-%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER refuse_bad_devices BEFORE INSERT ON devices FOR EACH ROW EXECUTE FUNCTION refuse_bad()",
            ]);
        using var commits = new CommitSizes(_services!.GetRequiredService<IMeterFactory>());
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();
        var write = new DeviceWrite("created", null, true, false, []);
        var reach = OrganizationReach.WholeApplication;

        var creates = Enumerable.Range(0, distinct).Select(i => Registry.CreateOrReplaceAsync("app-a", $"new-{i:D3}", write, null, reach, CancellationToken.None)).ToList();
        var refused = Enumerable.Range(0, 5).Select(i => Registry.CreateOrReplaceAsync("app-a", $"bad-{i}", write, null, reach, CancellationToken.None)).ToList();
        var puts = Enumerable.Range(0, raced).Select(i => Task.WhenAll(
            Registry.CreateOrReplaceAsync("app-a", $"put-{i:D2}", write with { DisplayName = "first" }, null, reach, CancellationToken.None),
            Registry.CreateOrReplaceAsync("app-a", $"put-{i:D2}", write with { DisplayName = "second" }, null, reach, CancellationToken.None))).ToList();
        var createOnly = Enumerable.Range(0, raced).Select(i => Task.WhenAll(
            Registry.CreateAsync("app-a", $"only-{i:D2}", write, reach, CancellationToken.None),
            Registry.CreateAsync("app-a", $"only-{i:D2}", write, reach, CancellationToken.None))).ToList();

        Assert.All(await Task.WhenAll(creates), o => Assert.True(o.Succeeded, o.Problem?.Message));
        Assert.All(await Task.WhenAll(refused), o => Assert.Equal(ProblemKind.Conflict, o.Problem?.Kind));
        foreach (var pair in await Task.WhenAll(puts))
        {
            // A PUT creates or replaces: both succeed, and the device is one of the two bodies.
            Assert.All(pair, o => Assert.True(o.Succeeded, o.Problem?.Message));
        }

        foreach (var pair in await Task.WhenAll(createOnly))
        {
            Assert.Single(pair, o => o.Succeeded);
            Assert.Single(pair, o => o.Problem?.Kind == ProblemKind.Conflict);
        }

        await using var db = await Contexts.CreateDbContextAsync();
        var created = await db.DeviceEvents.AsNoTracking().Where(e => e.Kind == nameof(DeviceEventKind.Created)).Select(e => e.DeviceId).ToListAsync();
        Assert.Equal(distinct + 2 * raced, created.Count);
        Assert.Equal(created.Count, created.Distinct().Count());
        Assert.DoesNotContain(created, id => id.StartsWith("bad-", StringComparison.Ordinal));
        Assert.Equal(0, await db.Devices.CountAsync(d => d.Id.StartsWith("bad-")));
        Assert.Equal(Devices + distinct + 2 * raced, await db.Devices.CountAsync(d => d.ApplicationId == "app-a"));
        Assert.All(await db.Devices.AsNoTracking().Where(d => d.Id.StartsWith("put-")).ToListAsync(), d => Assert.True(d.DisplayName is "first" or "second", d.DisplayName));

        // Each device's creation was published once, after its commit.
        var heard = new List<DeviceEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            heard.Add(e);
        }

        var heardCreated = heard.Where(e => e.Kind == DeviceEventKind.Created).Select(e => e.DeviceId).ToList();
        Assert.Equal(created.Order(StringComparer.Ordinal), heardCreated.Order(StringComparer.Ordinal));
        Assert.True(commits.Largest > 1, $"every commit held one device ({commits.Commits} commits)");

        // A batch's new rows go in multi-row inserts: each published event carries its stored row's id, published in
        // ascending order, and a device reads back as its creation answered it.
        var storedIds = await db.DeviceEvents.AsNoTracking().Where(e => e.Kind == nameof(DeviceEventKind.Created)).ToDictionaryAsync(e => e.DeviceId, e => e.Id);
        var heardSequences = heard.Where(e => e.Kind == DeviceEventKind.Created).Select(e => e.Sequence).ToList();
        Assert.All(heard.Where(e => e.Kind == DeviceEventKind.Created), e => Assert.Equal(storedIds[e.DeviceId], e.Sequence));
        Assert.Equal(heardSequences.Order(), heardSequences);
        var answered = (await creates[7]).Value!;
        var read = (await Registry.GetAsync("app-a", answered.Id, CancellationToken.None))!;
        Assert.Equal((answered.ETag, answered.DisplayName, answered.Enabled, answered.Simulated, answered.Approved), (read.ETag, read.DisplayName, read.Enabled, read.Simulated, read.Approved));
        var row = await db.Devices.AsNoTracking().SingleAsync(d => d.ApplicationId == "app-a" && d.Id == answered.Id);
        Assert.NotEqual(row.PrimaryKeyProtected, row.SecondaryKeyProtected);
        Assert.InRange(row.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Provisionings_updates_and_deletes_of_many_callers_share_commits_keep_their_rules_and_a_refused_one_fails_alone()
    {
        const int provisioned = 30;
        await ExecuteAsync(store == MetadataStore.Sqlite
            ? ["CREATE TRIGGER refuse_named_devices BEFORE UPDATE ON devices WHEN NEW.DisplayName = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"]
            : [
                "CREATE FUNCTION refuse_named() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"DisplayName\" = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER refuse_named_devices BEFORE UPDATE ON devices FOR EACH ROW EXECUTE FUNCTION refuse_named()",
            ]);
        using var commits = new CommitSizes(_services!.GetRequiredService<IMeterFactory>());
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();
        var reach = OrganizationReach.WholeApplication;
        Task<Outcome<Device>> Rename(int d, string name, string? ifMatch) =>
            Registry.UpdateAsync("app-a", Device(d), current => current with { DisplayName = name }, ifMatch, reach, CancellationToken.None);

        // First registrations, each id twice at once (a device retrying), and registrations of devices that exist.
        var firstRegistrations = Enumerable.Range(0, provisioned).Select(i => Task.WhenAll(
            Registry.ProvisionAsync("app-b", $"dps-{i:D2}", autoApprove: true, null, null, null, CancellationToken.None),
            Registry.ProvisionAsync("app-b", $"dps-{i:D2}", autoApprove: true, null, null, null, CancellationToken.None))).ToList();
        var again = Enumerable.Range(0, 10).Select(d => Registry.ProvisionAsync("app-b", Device(d), autoApprove: true, "dtmi:test:model;1", null, null, CancellationToken.None)).ToList();
        var renamed = Enumerable.Range(0, 10).Select(d => Rename(d, $"renamed-{d}", "e")).ToList();
        var stale = Enumerable.Range(10, 5).Select(d => Rename(d, "stale", "not-the-etag")).ToList();
        var racing = Enumerable.Range(15, 5).Select(d => Task.WhenAll(Rename(d, "one", "e"), Rename(d, "other", "e"))).ToList();
        var deletes = Enumerable.Range(20, 10).Select(d => Task.WhenAll(
            Registry.DeleteAsync("app-a", Device(d), reach, CancellationToken.None),
            Registry.DeleteAsync("app-a", Device(d), reach, CancellationToken.None))).ToList();
        var refused = Rename(30, "refused", null);
        var missing = Rename(Devices + 5, "nobody", null);

        foreach (var pair in await Task.WhenAll(firstRegistrations))
        {
            Assert.All(pair, device => Assert.True(device.Provisioned));
        }

        Assert.All(await Task.WhenAll(again), device => Assert.Equal("dtmi:test:model;1", device.ModelId));
        Assert.All(await Task.WhenAll(renamed), o => Assert.True(o.Succeeded, o.Problem?.Message));
        Assert.All(await Task.WhenAll(stale), o => Assert.Equal(ProblemKind.PreconditionFailed, o.Problem?.Kind));
        foreach (var pair in await Task.WhenAll(racing))
        {
            // Both read etag "e"; the one committed second finds it changed (or, read after the first committed, refuses at once).
            Assert.Single(pair, o => o.Succeeded);
            Assert.Single(pair, o => o.Problem?.Kind is ProblemKind.Conflict or ProblemKind.PreconditionFailed);
        }

        foreach (var pair in await Task.WhenAll(deletes))
        {
            Assert.Single(pair, o => o.Succeeded);
            Assert.Single(pair, o => o.Problem?.Kind == ProblemKind.NotFound);
        }

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => refused);
        Assert.Equal(ProblemKind.NotFound, (await missing).Problem?.Kind);

        await using var db = await Contexts.CreateDbContextAsync();
        var rows = await db.Devices.AsNoTracking().ToListAsync();
        Assert.Equal(Devices + provisioned, rows.Count(r => r.ApplicationId == "app-b"));
        Assert.All(rows.Where(r => r.ApplicationId == "app-b" && r.Id.StartsWith("dps-", StringComparison.Ordinal)), r => Assert.True(r.Provisioned && r.Approved));
        Assert.Equal(Devices - 10, rows.Count(r => r.ApplicationId == "app-a"));
        Assert.Equal(Enumerable.Range(0, 10).Select(d => $"renamed-{d}"), Enumerable.Range(0, 10).Select(d => rows.Single(r => r.ApplicationId == "app-a" && r.Id == Device(d)).DisplayName));
        Assert.NotEqual("refused", rows.Single(r => r.ApplicationId == "app-a" && r.Id == Device(30)).DisplayName);

        // Every change is in its application's log once, and was published once, in id order.
        var logged = await db.DeviceEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(provisioned, logged.Count(e => e.Kind == nameof(DeviceEventKind.Created)));
        Assert.Equal(10, logged.Count(e => e.Kind == nameof(DeviceEventKind.Deleted)));
        Assert.Equal(10 + 5, logged.Count(e => e.Kind == nameof(DeviceEventKind.Updated) && e.ApplicationId == "app-a"));
        Assert.Equal(provisioned + 10, logged.Count(e => e.Kind == nameof(DeviceEventKind.Updated) && e.ApplicationId == "app-b"));
        var heard = new List<DeviceEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            heard.Add(e);
        }

        Assert.Equal(logged.Select(e => e.Id), heard.Select(e => e.Sequence));
        Assert.True(commits.Largest > 1, $"every commit held one write ({commits.Commits} commits)");
    }

    private async Task ExecuteAsync(IEnumerable<string> statements)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }
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

    /// <summary>No device is connected: the registry's disconnects have nothing to close here.</summary>
    private sealed class NoConnections : IDeviceConnections
    {
        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
    }

    /// <summary>What this provider's writer's meter says about its commits while the test runs.</summary>
    private sealed class CommitSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _commits;
        private int _writes;
        private int _largest;
        private long _failed;

        /// <param name="meters">The test's meter factory: other tests' providers in this process have writers of their own.</param>
        public CommitSizes(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MetadataWriterMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
            {
                if (instrument.Name == "centrum.storage.commit.batch_size")
                {
                    Interlocked.Increment(ref _commits);
                    Interlocked.Add(ref _writes, value);
                    var current = Volatile.Read(ref _largest);
                    while (value > current && Interlocked.CompareExchange(ref _largest, value, current) is var seen && seen != current)
                    {
                        current = seen;
                    }
                }
            });
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "centrum.storage.writes.failed")
                {
                    Interlocked.Add(ref _failed, value);
                }
            });
            _listener.Start();
        }

        public int Commits => Volatile.Read(ref _commits);

        public int Writes => Volatile.Read(ref _writes);

        public int Largest => Volatile.Read(ref _largest);

        public long Failed => Interlocked.Read(ref _failed);

        public void Dispose() => _listener.Dispose();
    }
}

public sealed class MetadataPathGroupCommitOnSqliteTests() : MetadataPathGroupCommitTests(MetadataStore.Sqlite);

public sealed class MetadataPathGroupCommitOnPostgreSqlTests() : MetadataPathGroupCommitTests(MetadataStore.PostgreSql);
