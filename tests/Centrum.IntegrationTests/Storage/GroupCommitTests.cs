using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Server.Hosting;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// The metadata store's group commit on both providers, composed as the server composes it: reported patches of many
/// devices in several applications share commits (on PostgreSQL a batch takes every application's ordering lock), each
/// answered version is stored, one device's versions are consecutive and in the log's order, and the events every
/// subscriber hears are the log's, in each application's id order.
/// </summary>
public abstract class GroupCommitTests(MetadataStore store) : IAsyncLifetime
{
    private const int Devices = 30;
    private const int PatchesPerDevice = 12;
    private static readonly string[] Applications = ["app-a", "app-b", "app-c"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "group-commit-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _services;
    private string? _postgres;

    private IDbContextFactory<CentrumDbContext> Contexts => _services!.GetRequiredService<IDbContextFactory<CentrumDbContext>>();

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
        await using var db = await Contexts.CreateDbContextAsync();
        foreach (var application in Applications)
        {
            db.Applications.Add(new ApplicationEntity { Id = application, DisplayName = application, HubHostName = application + ".localhost", IdScope = "0ne0000000" + application[^1] });
            for (var d = 0; d < Devices; d++)
            {
                db.Devices.Add(new DeviceEntity { ApplicationId = application, Id = $"d{d:D2}", PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
            }
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Patches_of_many_devices_in_several_applications_are_stored_with_consecutive_versions_and_heard_in_log_order()
    {
        var twins = _services!.GetRequiredService<TwinService>();
        using var subscription = _services!.GetRequiredService<IDeviceEvents>().Subscribe();
        var answered = new ConcurrentDictionary<(string, string), ConcurrentQueue<long>>();

        // Two racing writers per device, every device of every application at once.
        await Task.WhenAll(Applications.SelectMany(a => Enumerable.Range(0, Devices).SelectMany(d => Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var p = 0; p < PatchesPerDevice / 2; p++)
            {
                var outcome = await twins.PatchReportedAsync(a, $"d{d:D2}", null, new JsonObject { [$"w{w}"] = p }, null, CancellationToken.None);
                Assert.True(outcome.Succeeded, outcome.Problem?.Message);
                answered.GetOrAdd((a, $"d{d:D2}"), _ => new()).Enqueue(outcome.Value);
            }
        })))));

        await using var db = await Contexts.CreateDbContextAsync();
        var stored = await db.Twins.AsNoTracking().ToDictionaryAsync(t => (t.ApplicationId, t.DeviceId));
        var events = await db.DeviceEvents.AsNoTracking().Where(e => e.Kind == nameof(DeviceEventKind.ReportedPropertiesChanged)).OrderBy(e => e.Id).ToListAsync();
        var expected = Enumerable.Range(2, PatchesPerDevice).Select(v => (long)v).ToList();
        foreach (var ((application, device), versions) in answered)
        {
            Assert.Equal(expected, versions.Order());
            Assert.Equal(1 + PatchesPerDevice, stored[(application, device)].ReportedVersion);
            Assert.Equal(expected, events.Where(e => e.ApplicationId == application && e.DeviceId == device).Select(e => JsonNode.Parse(e.Data!)!["version"]!.GetValue<long>()));
        }

        Assert.Equal(Applications.Length * Devices, answered.Count);

        // Subscribers heard exactly the log, each application's events in id order.
        var heard = new List<DeviceEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            heard.Add(e);
        }

        Assert.Equal(events.Select(e => e.Id).Order(), heard.Select(e => e.Sequence).Order());
        foreach (var application in Applications)
        {
            var ids = heard.Where(e => e.ApplicationId == application).Select(e => e.Sequence).ToList();
            Assert.Equal(ids.Order(), ids);
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
}

public sealed class GroupCommitOnSqliteTests() : GroupCommitTests(MetadataStore.Sqlite);

public sealed class GroupCommitOnPostgreSqlTests() : GroupCommitTests(MetadataStore.PostgreSql);
