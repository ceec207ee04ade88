using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Storage;

/// <summary>
/// Metadata for every application. Every application-owned table is keyed by <c>ApplicationId</c> first, so no row can
/// be addressed without naming its application; the model uses only types PostgreSQL serves unchanged.
/// </summary>
public sealed class CentrumDbContext(DbContextOptions<CentrumDbContext> options) : DbContext(options)
{
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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApplicationEntity>(e =>
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

        modelBuilder.Entity<DeviceEntity>(e =>
        {
            e.ToTable("devices");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.Property(x => x.Id).HasMaxLength(128);
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiTokenEntity>(e =>
        {
            e.ToTable("api_tokens");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeviceTemplateEntity>(e =>
        {
            e.ToTable("device_templates");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.ModelId });
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<EnrollmentGroupEntity>(e =>
        {
            e.ToTable("enrollment_groups");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.Property(x => x.Id).HasMaxLength(255);
            e.Property(x => x.ETag).IsConcurrencyToken();
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TwinEntity>(e =>
        {
            e.ToTable("twins");
            e.HasKey(x => new { x.ApplicationId, x.DeviceId, x.ModuleId });
            e.Property(x => x.DesiredVersion).IsConcurrencyToken();
            e.Property(x => x.ReportedVersion).IsConcurrencyToken();
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeviceEventEntity>(e =>
        {
            e.ToTable("device_events");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Kind });
        });

        modelBuilder.Entity<CloudToDeviceMessageEntity>(e =>
        {
            e.ToTable("c2d_messages");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Id });
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CommandRecordEntity>(e =>
        {
            e.ToTable("command_records");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.ModuleId, x.Component, x.CommandName, x.Time });
            e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DataExportEntity>(e =>
        {
            e.ToTable("data_exports");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DataExportDestinationEntity>(e =>
        {
            e.ToTable("data_export_destinations");
            e.HasKey(x => new { x.ApplicationId, x.Id });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ExportCursorEntity>(e =>
        {
            e.ToTable("export_cursors");
            e.HasKey(x => new { x.ApplicationId, x.ExportId, x.DestinationId });
            e.HasOne<DataExportEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.ExportId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MqttSessionEntity>(e =>
        {
            e.ToTable("mqtt_sessions");
            e.HasKey(x => new { x.ApplicationId, x.ClientId });
            e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
