using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

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

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<CentrumUser>().ToTable("users");
        builder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        builder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        builder.Entity<IdentityUserPasskey<string>>().ToTable("user_passkeys");

        builder.Entity<CustomRoleEntity>(e =>
        {
            e.ToTable("custom_roles");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<OrganizationEntity>(e =>
        {
            e.ToTable("organizations");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.Parent });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApplicationUserEntity>(e =>
        {
            e.ToTable("application_users");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.Email });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApplicationEntity>(e =>
        {
            e.ToTable("applications");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.DisplayName).HasMaxLength(200);
            e.Property(x => x.HubHostName).HasMaxLength(253);
            e.Property(x => x.IdScope).HasMaxLength(32);
            e.HasIndex(x => x.HubHostName).IsUnique();
            e.HasIndex(x => x.IdScope).IsUnique();
        });

        builder.Entity<DeviceEntity>(e =>
        {
            e.ToTable("devices");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.Property(x => x.Id).HasMaxLength(128);
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApiTokenEntity>(e =>
        {
            e.ToTable("api_tokens");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DeviceTemplateEntity>(e =>
        {
            e.ToTable("device_templates");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.ModelId });
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<EnrollmentGroupEntity>(e =>
        {
            e.ToTable("enrollment_groups");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.Property(x => x.Id).HasMaxLength(255);
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<TwinEntity>(e =>
        {
            e.ToTable("twins");
            e.HasKey(x => new { x.ApplicationId, x.DeviceId, x.ModuleId });
            e.Property(x => x.DesiredVersion).IsConcurrencyToken();
            e.Property(x => x.ReportedVersion).IsConcurrencyToken();
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DeviceEventEntity>(e =>
        {
            e.ToTable("device_events");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Kind });
        });

        builder.Entity<CloudToDeviceMessageEntity>(e =>
        {
            e.ToTable("c2d_messages");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Id });
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CommandRecordEntity>(e =>
        {
            e.ToTable("command_records");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.ModuleId, x.Component, x.CommandName, x.Time });
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DataExportEntity>(e =>
        {
            e.ToTable("data_exports");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DataExportDestinationEntity>(e =>
        {
            e.ToTable("data_export_destinations");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ExportCursorEntity>(e =>
        {
            e.ToTable("export_cursors");
            e.HasKey(x => new { x.ApplicationId, x.ExportId, x.DestinationId });
            e.HasOne<DataExportEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.ExportId }).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MqttSessionEntity>(e =>
        {
            e.ToTable("mqtt_sessions");
            e.HasKey(x => new { x.ApplicationId, x.ClientId });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
