using Centrum.Events;
using Centrum.Identity.Audit;
using Centrum.Storage;
using Centrum.Storage.Events;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Audit retention on the real metadata database (SQLite, migrated as the server does): entries older than the
/// retention go, oldest first and at most a pass's budget at a time; younger entries and other events stay. The clock
/// is moved, not waited for.
/// </summary>
public sealed class AuditRetentionTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "audit-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services;

    public AuditRetentionTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Centrum:Storage:DataFolder"] = _folder }).Build();
        _services = new ServiceCollection()
            .AddCentrumStorage(configuration)
            .Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(o => o.Stores.SchemaVersion = CentrumDbContext.IdentitySchemaVersion)
            .BuildServiceProvider();
    }

    [Fact]
    public async Task Entries_past_the_retention_are_pruned_oldest_first_within_a_budget_per_pass()
    {
        await _services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
        var contexts = _services.GetRequiredService<IDbContextFactory<CentrumDbContext>>();
        var clock = new MovableClock(Start);
        await using var writer = Writer(contexts, clock);
        var audit = new AuditLog(contexts, writer);
        var options = Options.Create(new AuditOptions { Retention = TimeSpan.FromDays(30), RowsPerPass = 100 });
        var worker = new AuditRetentionWorker(contexts, options, clock, NullLogger<AuditRetentionWorker>.Instance);

        // 250 entries 40 days old, a device event among them, then 20 entries 10 days old.
        for (var i = 0; i < 250; i++)
        {
            await audit.RecordAsync(i % 2 == 0 ? "default" : "other", Entry($"old-{i}"), CancellationToken.None);
        }

        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.DeviceEvents.Add(new Centrum.Storage.Entities.DeviceEventEntity { ApplicationId = "default", DeviceId = "d1", Kind = DeviceEventKind.Connected.ToString(), Time = clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        clock.Now = Start.AddDays(30);
        for (var i = 0; i < 20; i++)
        {
            await audit.RecordAsync("default", Entry($"young-{i}"), CancellationToken.None);
        }

        // Nothing is due before the retention has passed.
        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None));

        clock.Now = Start.AddDays(40);
        Assert.Equal(100, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(150 + 20, await CountAuditedAsync(contexts));
        Assert.Equal(100, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(50, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None));

        var (page, _) = await audit.ListAsync("default", null, 1000, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"young-{i}").Reverse(), page.Select(r => (string)r.Entry["resource"]!["id"]!));
        await using (var db = await contexts.CreateDbContextAsync())
        {
            Assert.Equal(1, await db.DeviceEvents.CountAsync(e => e.Kind == DeviceEventKind.Connected.ToString()));
        }

        // Ten more days and the young ones are due as well.
        clock.Now = Start.AddDays(61);
        Assert.Equal(20, await worker.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await CountAuditedAsync(contexts));
    }

    [Fact]
    public async Task An_entry_keeps_a_bounded_part_of_what_the_caller_sent()
    {
        await _services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
        var contexts = _services.GetRequiredService<IDbContextFactory<CentrumDbContext>>();
        await using var writer = Writer(contexts, new MovableClock(Start));
        var audit = new AuditLog(contexts, writer);
        var huge = new string('x', 100_000);
        await audit.RecordAsync("default", new AuditEntry("signInFailed", "user", huge + "@example.com", huge, huge, "POST", "/" + huge, 401, huge), CancellationToken.None);
        await using var db = await contexts.CreateDbContextAsync();
        var stored = await db.DeviceEvents.SingleAsync(e => e.Kind == DeviceEventKind.Audited.ToString());
        Assert.True(stored.Data!.Length < 4 * 1024, $"{stored.Data.Length} characters stored");
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The metadata store's writer on the test's clock, so entries carry the times the test sets.</summary>
    private MetadataWriter Writer(IDbContextFactory<CentrumDbContext> contexts, TimeProvider clock) => new(
        contexts, new DeviceEventLog(new DeviceEventBus(), clock), Options.Create(new MetadataWriterOptions()),
        new MetadataWriterMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<MetadataWriter>.Instance);

    private static AuditEntry Entry(string resource) => new("updated", "apiToken", "t1", "device", resource, "PUT", "/api/devices/" + resource, 200, "127.0.0.1");

    private static async Task<int> CountAuditedAsync(IDbContextFactory<CentrumDbContext> contexts)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.DeviceEvents.CountAsync(e => e.Kind == DeviceEventKind.Audited.ToString());
    }

    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
