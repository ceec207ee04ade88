using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Twins.Tests;

/// <summary>
/// Reported patches of many devices share durable commits (the metadata store's <see cref="MetadataWriter"/>), on a real
/// SQLite store: every accepted patch is stored with the version it was answered with, one device's patches keep their
/// order and consecutive versions however many of them race, a commit that fails acknowledges none of its callers, and
/// a stopping writer acknowledges nothing it did not store.
/// </summary>
public sealed class ReportedGroupCommitTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const int Devices = 40;
    private SqliteAreaHost _host = null!;

    private TwinService Twins => _host.Services.GetRequiredService<TwinService>();

    private static string Device(int i) => $"device-{i:D3}";

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("twins-group", (services, _) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumTwins();
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        for (var i = 0; i < Devices; i++)
        {
            db.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Device(i), PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Racing_patches_of_many_devices_are_all_stored_in_shared_commits_with_consecutive_versions_in_order()
    {
        const int writersPerDevice = 3;
        const int patchesPerWriter = 8;
        using var batches = new BatchSizes(_host.Services.GetRequiredService<IMeterFactory>());
        var answered = new ConcurrentDictionary<string, ConcurrentBag<long>>();

        // Several writers per device race each other (a device may pipeline its PATCHes), and every device races the others.
        await Task.WhenAll(Enumerable.Range(0, Devices).SelectMany(d => Enumerable.Range(0, writersPerDevice).Select(w => Task.Run(async () =>
        {
            for (var p = 0; p < patchesPerWriter; p++)
            {
                var patch = new JsonObject { [$"w{w}"] = p, ["last"] = $"{w}.{p}" };
                var outcome = await Twins.PatchReportedAsync(App, Device(d), null, patch, null, CancellationToken.None);
                Assert.True(outcome.Succeeded, outcome.Problem?.Message);
                answered.GetOrAdd(Device(d), _ => []).Add(outcome.Value);
            }
        }))));

        const int perDevice = writersPerDevice * patchesPerWriter;
        await using var db = await _host.Contexts.CreateDbContextAsync();
        var twins = await db.Twins.AsNoTracking().Where(t => t.ApplicationId == App).ToDictionaryAsync(t => t.DeviceId);
        var events = await db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == App && e.Kind == nameof(DeviceEventKind.ReportedPropertiesChanged)).OrderBy(e => e.Id).ToListAsync();
        for (var d = 0; d < Devices; d++)
        {
            var device = Device(d);

            // A twin starts at version 1; each accepted patch adds exactly one, none lost, none answered twice.
            Assert.Equal(Enumerable.Range(2, perDevice).Select(v => (long)v), answered[device].Order());
            Assert.Equal(1 + perDevice, twins[device].ReportedVersion);

            // Every writer's last patch survived: no patch was merged over a later one of the same writer.
            var reported = JsonNode.Parse(twins[device].Reported)!.AsObject();
            for (var w = 0; w < writersPerDevice; w++)
            {
                Assert.Equal(patchesPerWriter - 1, reported[$"w{w}"]!.GetValue<int>());
            }

            // The log holds the device's versions in commit order: the order the patches were answered in.
            var versions = events.Where(e => e.DeviceId == device).Select(e => JsonNode.Parse(e.Data!)!["version"]!.GetValue<long>()).ToList();
            Assert.Equal(Enumerable.Range(2, perDevice).Select(v => (long)v), versions);
        }

        // The point of the writer: commits were shared, not one per patch.
        Assert.Equal(Devices * perDevice, batches.Writes);
        Assert.True(batches.Largest > 1, $"every commit held one write ({batches.Commits} commits)");
        Assert.True(batches.Commits < Devices * perDevice, $"{batches.Commits} commits for {Devices * perDevice} patches");
    }

    [Fact]
    public async Task A_commit_that_fails_answers_every_caller_of_its_batch_with_an_error_and_acknowledges_none()
    {
        for (var d = 0; d < Devices; d++)
        {
            Assert.True((await Twins.PatchReportedAsync(App, Device(d), null, new JsonObject { ["a"] = 0 }, null, CancellationToken.None)).Succeeded);
        }

        // The store refuses every twin update, as a full disk or a broken file would: a real SQLite failure at commit.
        await ExecuteAsync("CREATE TRIGGER refuse_twin_updates BEFORE UPDATE ON twins BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        using var batches = new BatchSizes(_host.Services.GetRequiredService<IMeterFactory>());
        var attempts = Enumerable.Range(0, Devices)
            .Select(d => Twins.PatchReportedAsync(App, Device(d), null, new JsonObject { ["a"] = 1 }, null, CancellationToken.None))
            .ToList();
        foreach (var attempt in attempts)
        {
            await Assert.ThrowsAsync<DbUpdateException>(() => attempt);
        }

        Assert.Equal(Devices, batches.Failed);
        Assert.Equal(0, batches.Writes);
        await using (var db = await _host.Contexts.CreateDbContextAsync())
        {
            Assert.All(await db.Twins.AsNoTracking().Where(t => t.ApplicationId == App).ToListAsync(), t =>
            {
                Assert.Equal(2, t.ReportedVersion);
                Assert.Equal(0, JsonNode.Parse(t.Reported)!["a"]!.GetValue<int>());
            });
            Assert.Equal(Devices, await db.DeviceEvents.CountAsync(e => e.Kind == nameof(DeviceEventKind.ReportedPropertiesChanged)));
        }

        // The writer outlives the failure: once the store accepts again, so does it, at the version after the stored one.
        await ExecuteAsync("DROP TRIGGER refuse_twin_updates");
        var after = await Twins.PatchReportedAsync(App, Device(0), null, new JsonObject { ["a"] = 2 }, null, CancellationToken.None);
        Assert.Equal(3, after.Value);
    }

    [Fact]
    public async Task A_stopping_writer_commits_what_it_took_refuses_the_rest_and_acknowledges_nothing_it_did_not_store()
    {
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var refused = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, Devices).Select(d => Task.Run(async () =>
        {
            for (var p = 0; ; p++)
            {
                try
                {
                    var outcome = await Twins.PatchReportedAsync(App, Device(d), null, new JsonObject { ["p"] = p }, null, CancellationToken.None);
                    Assert.True(outcome.Succeeded, outcome.Problem?.Message);
                    acknowledged.GetOrAdd(Device(d), _ => []).Add(outcome.Value);
                    started.TrySetResult();
                }
                catch (MetadataWriterStoppedException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
            }
        })).ToList();

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _host.Services.GetRequiredService<MetadataWriter>().DisposeAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Devices, refused);
        await using var db = await _host.Contexts.CreateDbContextAsync();
        var twins = await db.Twins.AsNoTracking().Where(t => t.ApplicationId == App).ToDictionaryAsync(t => t.DeviceId);
        foreach (var (device, versions) in acknowledged)
        {
            // Every answered version is stored, and nothing was stored that was not answered: the stored version is the last answered.
            Assert.Equal(Enumerable.Range(2, versions.Count).Select(v => (long)v), versions.Order());
            Assert.Equal(versions.Max(), twins[device].ReportedVersion);
        }

        Assert.All(twins.Keys, device => Assert.True(acknowledged.ContainsKey(device), $"{device} has a stored twin no caller was told of"));
        await Assert.ThrowsAsync<MetadataWriterStoppedException>(() =>
            Twins.PatchReportedAsync(App, Device(0), null, new JsonObject { ["late"] = true }, null, CancellationToken.None));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = await _host.Contexts.CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>What this host's writer's meter says about its commits while the test runs.</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _commits;
        private int _writes;
        private int _largest;
        private long _failed;

        /// <param name="meters">The host's meter factory: other tests' hosts in this process have writers of their own.</param>
        public BatchSizes(IMeterFactory meters)
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
                    InterlockedMax(ref _largest, value);
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

        private static void InterlockedMax(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            {
                current = seen;
            }
        }
    }
}
