using System.Collections.Concurrent;
using System.Reflection;
using Centrum.Devices;
using Centrum.Identity.Applications;
using Centrum.Organizations;
using Centrum.Server.Hosting;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Ownership;

/// <summary>
/// A deletion asks each owning area to let go of its rows (<c>IAreaData</c>), on the real metadata store migrated as the
/// server migrates it. Every table of the model is filled for two applications; the tables are found in the model, not
/// listed here, so a table added later that a deletion forgets fails these tests (the fill is checked first).
/// </summary>
public abstract class AreaReleaseTests(MetadataStore store) : IAsyncLifetime
{
    private const string Doomed = "doomed";
    private const string Kept = "kept";
    private const string ApplicationIdProperty = nameof(DeviceEntity.ApplicationId);

    /// <summary>Local accounts are global (ASP.NET Core Identity): no application owns them, so none deletes them.</summary>
    private static readonly string[] GlobalTables = ["users", "user_claims", "user_logins", "user_tokens", "user_roles", "roles", "role_claims", "user_passkeys"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "release-" + Guid.NewGuid().ToString("N"));
    private readonly RecordingConnections _connections = new();
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
        // The gateway's side of a deletion (closing the connection) is not what is tested here; it is recorded.
        services.AddSingleton<IDeviceConnections>(_connections);
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<StorageInitializer>().InitializeAsync(CancellationToken.None);
        var administration = _services.GetRequiredService<ApplicationAdministration>();
        await administration.CreateAsync(Doomed, null, $"{Doomed}.example.test", CancellationToken.None);
        await administration.CreateAsync(Kept, null, $"{Kept}.example.test", CancellationToken.None);
        await FillAsync(Doomed);
        await FillAsync(Kept);
    }

    [Fact]
    public async Task Deleting_a_device_releases_its_sessions_twins_messages_command_records_and_relationships()
    {
        Assert.True((await _services!.GetRequiredService<DeviceRegistry>().DeleteAsync(Doomed, "d1", OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);

        await using var db = await Contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.MqttSessions.CountAsync(s => s.ApplicationId == Doomed && (s.ClientId == "d1" || s.ClientId == "d1/m1")));
        Assert.Equal(0, await db.Twins.CountAsync(t => t.ApplicationId == Doomed && t.DeviceId == "d1"));
        Assert.Equal(0, await db.CloudToDeviceMessages.CountAsync(m => m.ApplicationId == Doomed && m.DeviceId == "d1"));
        Assert.Equal(0, await db.CommandRecords.CountAsync(c => c.ApplicationId == Doomed && c.DeviceId == "d1"));
        // Its relationship to its downstream device goes with it; the other application's stays.
        Assert.Equal(0, await db.DeviceRelationships.CountAsync(r => r.ApplicationId == Doomed));
        Assert.Equal(1, await db.DeviceRelationships.CountAsync(r => r.ApplicationId == Kept));

        // The other device keeps its rows, including the session whose client id begins with the deleted one's.
        Assert.Equal(2, await db.MqttSessions.CountAsync(s => s.ApplicationId == Doomed && (s.ClientId == "d10" || s.ClientId == "d10/m1")));
        Assert.Equal(2, await db.Twins.CountAsync(t => t.ApplicationId == Doomed && t.DeviceId == "d10"));
        Assert.Equal(1, await db.CloudToDeviceMessages.CountAsync(m => m.ApplicationId == Doomed && m.DeviceId == "d10"));
        Assert.Equal(1, await db.CommandRecords.CountAsync(c => c.ApplicationId == Doomed && c.DeviceId == "d10"));

        // The device's events stay (export delivers the deletion after them), with the deletion appended.
        Assert.Equal(["Created", "Deleted"], await db.DeviceEvents.Where(e => e.ApplicationId == Doomed && e.DeviceId == "d1").OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        Assert.Contains((Doomed, "d1"), _connections.Disconnected);
    }

    [Fact]
    public async Task Deleting_an_application_leaves_no_row_of_it_in_any_table_and_every_row_of_another()
    {
        var before = await CountEveryTableAsync();
        Assert.All(before, t => Assert.True(t.Value.Doomed > 0, $"{t.Key} was not filled for the test: add it to {nameof(FillAsync)}."));

        Assert.True(await _services!.GetRequiredService<ApplicationAdministration>().DeleteAsync(Doomed, CancellationToken.None));

        var after = await CountEveryTableAsync();
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(after, t => Assert.True(t.Value.Doomed == 0, $"{t.Key} keeps {t.Value.Doomed} rows of the deleted application."));
        Assert.All(after, t => Assert.True(t.Value.Kept == before[t.Key].Kept, $"{t.Key} lost rows of the other application."));
    }

    /// <summary>Rows per application in every table of the model; the applications table counts its own row.</summary>
    private async Task<SortedDictionary<string, (int Doomed, int Kept)>> CountEveryTableAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var counts = new SortedDictionary<string, (int, int)>(StringComparer.Ordinal);
        var count = typeof(AreaReleaseTests).GetMethod(nameof(CountAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var entity in db.Model.GetEntityTypes().Where(e => !e.IsOwned()))
        {
            var table = entity.GetTableName()!;
            var key = entity.ClrType == typeof(ApplicationEntity) ? nameof(ApplicationEntity.Id) : ApplicationIdProperty;
            if (entity.FindProperty(key) is null)
            {
                Assert.Contains(table, GlobalTables);
                continue;
            }

            var countOf = count.MakeGenericMethod(entity.ClrType);
            counts[table] = (await (Task<int>)countOf.Invoke(null, [db, key, Doomed])!, await (Task<int>)countOf.Invoke(null, [db, key, Kept])!);
        }

        return counts;
    }

    private static Task<int> CountAsync<T>(CentrumDbContext db, string key, string applicationId)
        where T : class => db.Set<T>().CountAsync(e => EF.Property<string>(e, key) == applicationId);

    /// <summary>A row of every application-owned table, for devices d1 and d10 (a prefix of each other's client ids).</summary>
    private async Task FillAsync(string app)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        foreach (var device in new[] { "d1", "d10" })
        {
            db.Devices.Add(new DeviceEntity { ApplicationId = app, Id = device, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
            db.Modules.Add(new ModuleEntity { ApplicationId = app, DeviceId = device, Id = "m1", GenerationId = "1", ETag = "e", PrimaryKeyProtected = "-", SecondaryKeyProtected = "-" });
            db.Twins.Add(new TwinEntity { ApplicationId = app, DeviceId = device });
            db.Twins.Add(new TwinEntity { ApplicationId = app, DeviceId = device, ModuleId = "m1" });
            db.MqttSessions.Add(new MqttSessionEntity { ApplicationId = app, ClientId = device, Subscriptions = "[]", UpdatedAt = now });
            db.MqttSessions.Add(new MqttSessionEntity { ApplicationId = app, ClientId = device + "/m1", Subscriptions = "[]", UpdatedAt = now });
            db.CloudToDeviceMessages.Add(new CloudToDeviceMessageEntity { ApplicationId = app, DeviceId = device, MessageId = "m", EnqueuedTime = now, ExpiryTime = now.AddHours(1) });
            db.CommandRecords.Add(new CommandRecordEntity { ApplicationId = app, Id = device + "-c", DeviceId = device, CommandName = "reboot", Time = now });
            db.DeviceEvents.Add(new DeviceEventEntity { ApplicationId = app, DeviceId = device, Kind = "Created", Time = now });
        }

        db.DeviceRelationships.Add(new DeviceRelationshipEntity { ApplicationId = app, Id = "r1", SourceId = "d1", TargetId = "d10", CreatedAt = now });
        db.FileUploadSettings.Add(new FileUploadSettingsEntity { ApplicationId = app, Account = "a", ProtectedConnectionString = "-", Container = "uploads", SasTtlSeconds = 3600, ETag = "e", UpdatedAt = now });
        db.FileUploads.Add(new FileUploadEntity { ApplicationId = app, CorrelationId = "c1", DeviceId = "d1", BlobName = "d1/f", Container = "uploads", CreatedUnixMs = 1, ExpiresUnixMs = 2 });

        db.DeviceTemplates.Add(new DeviceTemplateEntity { ApplicationId = app, Id = "dtmi:x:t;1", ModelId = "dtmi:x:t;1", Types = "[]", CapabilityModel = "{}", Interfaces = "[]", ETag = "e", CreatedAt = now });
        db.EnrollmentGroups.Add(new EnrollmentGroupEntity { ApplicationId = app, Id = "g", DisplayName = "G", Type = "iot", AttestationType = "symmetricKey", ETag = "e" });
        db.DataExportDestinations.Add(new DataExportDestinationEntity { ApplicationId = app, Id = "dest", DisplayName = "D", Type = "webhook@v1", DefinitionProtected = "-", ETag = "e", CreatedAt = now });
        db.DataExports.Add(new DataExportEntity { ApplicationId = app, Id = "exp", DisplayName = "E", Source = "telemetry", Destinations = "[]", Start = "now", ETag = "e", CreatedAt = now });
        db.ExportCursors.Add(new ExportCursorEntity { ApplicationId = app, ExportId = "exp", DestinationId = "dest", Source = "telemetry" });
        db.ApiTokens.Add(new ApiTokenEntity { ApplicationId = app, Id = "t", KeyProtected = "-", Roles = "[]", Expiry = now.AddDays(1), CreatedAt = now });
        db.ApplicationUsers.Add(new ApplicationUserEntity { ApplicationId = app, Id = "u", Type = "email", Email = "u@example.test", Roles = "[]", ETag = "e", CreatedAt = now });
        db.CustomRoles.Add(new CustomRoleEntity { ApplicationId = app, Id = "r", DisplayName = "R", Scope = "app", Permissions = "[]", ETag = "e" });
        db.Organizations.Add(new OrganizationEntity { ApplicationId = app, Id = "o", DisplayName = "O", ETag = "e" });
        db.DeviceGroups.Add(new DeviceGroupEntity { ApplicationId = app, Id = "dg", DisplayName = "DG", Filter = "SELECT * FROM devices", ETag = "e", CreatedAt = now });
        db.DeploymentManifests.Add(new DeploymentManifestEntity { ApplicationId = app, Id = "dm", DisplayName = "DM", Data = "{}", ETag = "e", CreatedAt = now });
        db.Jobs.Add(new JobEntity { ApplicationId = app, Id = "job", Definition = "{}", Status = "complete", CreatedAt = now });
        db.JobDevices.Add(new JobDeviceEntity { ApplicationId = app, JobId = "job", DeviceId = "d0", Status = "completed" });
        db.ScheduledJobs.Add(new ScheduledJobEntity { ApplicationId = app, Id = "sj", Definition = "{}", Schedule = "{}", ETag = "e", CreatedAt = now });
        db.Dashboards.Add(new DashboardEntity { ApplicationId = app, Id = "dash", DisplayName = "Dash", ETag = "e", CreatedAt = now });
        db.SavedQueries.Add(new SavedQueryEntity { ApplicationId = app, Id = "query", DisplayName = "Query", ETag = "e", CreatedAt = now });
        db.DashboardFavorites.Add(new DashboardFavoriteEntity { ApplicationId = app, Member = "u@example.test", DashboardId = "dash" });
        await db.SaveChangesAsync();
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

    private sealed class RecordingConnections : IDeviceConnections
    {
        public ConcurrentBag<(string, string)> Disconnected { get; } = [];

        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason)
        {
            Disconnected.Add((applicationId, deviceId));
            return ValueTask.CompletedTask;
        }

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
    }
}

public sealed class AreaReleaseOnSqliteTests() : AreaReleaseTests(MetadataStore.Sqlite);

public sealed class AreaReleaseOnPostgreSqlTests() : AreaReleaseTests(MetadataStore.PostgreSql);
