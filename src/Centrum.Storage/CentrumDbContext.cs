using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Centrum.Storage;

/// <summary>
/// Metadata for every application. Every application-owned table is keyed by <c>ApplicationId</c> first, so no row can
/// be addressed without naming its application; the model uses only types PostgreSQL serves unchanged. Local accounts
/// (ASP.NET Core Identity) are global and live in the same store.
/// </summary>
public sealed class CentrumDbContext(DbContextOptions<CentrumDbContext> options) : IdentityDbContext<CentrumUser>(options)
{
    /// <summary>The Identity schema the migrations were made for (passkeys included); the server configures Identity with it.</summary>
    public static readonly Version IdentitySchemaVersion = IdentitySchemaVersions.Version3;

    public DbSet<ApplicationEntity> Applications => Set<ApplicationEntity>();

    public DbSet<DeviceEntity> Devices => Set<DeviceEntity>();

    public DbSet<ModuleEntity> Modules => Set<ModuleEntity>();

    public DbSet<DeviceRelationshipEntity> DeviceRelationships => Set<DeviceRelationshipEntity>();

    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();

    public DbSet<MqttSessionEntity> MqttSessions => Set<MqttSessionEntity>();

    public DbSet<TwinEntity> Twins => Set<TwinEntity>();

    public DbSet<EnrollmentGroupEntity> EnrollmentGroups => Set<EnrollmentGroupEntity>();

    public DbSet<DeviceTemplateEntity> DeviceTemplates => Set<DeviceTemplateEntity>();

    public DbSet<DeviceEventEntity> DeviceEvents => Set<DeviceEventEntity>();

    public DbSet<CloudToDeviceMessageEntity> CloudToDeviceMessages => Set<CloudToDeviceMessageEntity>();

    public DbSet<CommandRecordEntity> CommandRecords => Set<CommandRecordEntity>();

    public DbSet<DataExportEntity> DataExports => Set<DataExportEntity>();

    public DbSet<DataExportDestinationEntity> DataExportDestinations => Set<DataExportDestinationEntity>();

    public DbSet<ExportCursorEntity> ExportCursors => Set<ExportCursorEntity>();

    public DbSet<ApplicationUserEntity> ApplicationUsers => Set<ApplicationUserEntity>();

    public DbSet<CustomRoleEntity> CustomRoles => Set<CustomRoleEntity>();

    public DbSet<OrganizationEntity> Organizations => Set<OrganizationEntity>();

    public DbSet<DeviceGroupEntity> DeviceGroups => Set<DeviceGroupEntity>();

    public DbSet<DeploymentManifestEntity> DeploymentManifests => Set<DeploymentManifestEntity>();

    public DbSet<FileUploadSettingsEntity> FileUploadSettings => Set<FileUploadSettingsEntity>();

    public DbSet<FileUploadEntity> FileUploads => Set<FileUploadEntity>();

    public DbSet<JobEntity> Jobs => Set<JobEntity>();

    public DbSet<JobDeviceEntity> JobDevices => Set<JobDeviceEntity>();

    public DbSet<ScheduledJobEntity> ScheduledJobs => Set<ScheduledJobEntity>();

    public DbSet<DashboardEntity> Dashboards => Set<DashboardEntity>();

    public DbSet<SavedQueryEntity> SavedQueries => Set<SavedQueryEntity>();

    public DbSet<DashboardFavoriteEntity> DashboardFavorites => Set<DashboardFavoriteEntity>();

    /// <summary>
    /// Caches the built model per set of registered areas (<see cref="AreaModelCacheKeyFactory"/>); every way of
    /// configuring the context (<see cref="StorageServiceCollectionExtensions.UseMetadataStore"/>, the design-time
    /// factory) calls it. Not in <c>OnConfiguring</c>: a pooled context's options cannot be changed there.
    /// </summary>
    /// <remarks>
    /// A failed save (or its transaction) is logged by EF Core as a warning, not an error: whether it is one is the
    /// area's to say. A unique key taken by a concurrent create, a concurrency token that moved, or a commit cancelled
    /// because the host stops is an answer the area gives (a conflict, a retry as an update, work taken up at the next
    /// start); a failure nobody handles reaches the caller as an exception and is logged there.
    /// </remarks>
    public static DbContextOptionsBuilder UseAreaModels(DbContextOptionsBuilder options) =>
        options.ReplaceService<IModelCacheKeyFactory, AreaModelCacheKeyFactory>()
            .ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Warning), (RelationalEventId.CommandError, LogLevel.Warning),
                (RelationalEventId.TransactionError, LogLevel.Warning)));

    /// <summary>
    /// PostgreSQL is made to compare as SQLite does. Text uses the "C" collation: byte order, case-sensitive, the same
    /// on every server whatever its locale (PostgreSQL documentation, "Collation Support": "C" and "POSIX" sort by byte
    /// values), which is SQLite's BINARY; so keyset paging by id and equality mean the same on both stores. Times are
    /// written as UTC: <c>timestamptz</c> keeps an instant, not an offset, and Npgsql refuses a
    /// <see cref="DateTimeOffset"/> whose offset is not zero (Npgsql documentation, "Date and Time Handling").
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        if (Database.IsNpgsql())
        {
            configurationBuilder.Properties<string>().UseCollation("C");
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcDateTimeOffsetConverter>();
        }
    }

    /// <summary>
    /// Each area configures the entities it owns (<c>IEntityTypeConfiguration&lt;T&gt;</c> in its own assembly); the
    /// host registers the areas (<see cref="MetadataAreaServiceCollectionExtensions.AddMetadataArea"/>) in the
    /// application services, read here as Identity reads its options. The device-event log is this assembly's own.
    /// Without any area the model would hold Identity's tables only and every other query would fail at run time, so
    /// building it is refused instead. The model is cached per set of areas (<see cref="UseAreaModels"/>).
    /// </summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        var areas = AreaModelCacheKeyFactory.RegisteredAreas(this);
        if (areas.Count == 0)
        {
            throw new InvalidOperationException(
                "The metadata model has no areas: register the areas that own tables (AddMetadataArea) in the services given to the context (UseApplicationServiceProvider).");
        }

        builder.ApplyConfigurationsFromAssembly(typeof(CentrumDbContext).Assembly);
        foreach (var area in areas)
        {
            builder.ApplyConfigurationsFromAssembly(area);
        }
    }
}
