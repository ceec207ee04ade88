using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Devices.Storage;

/// <summary>
/// The uploads devices started, keyed by correlation id; a device's are found by its id (the pending count and the
/// list). Blob names are at most 1,024 characters (Azure Blob Storage's limit); the row goes with its device.
/// </summary>
internal sealed class FileUploadEntityConfiguration : IEntityTypeConfiguration<FileUploadEntity>
{
    public void Configure(EntityTypeBuilder<FileUploadEntity> e)
    {
        e.ToTable("file_uploads");
        e.HasKey(x => new { x.ApplicationId, x.CorrelationId });
        e.Property(x => x.CorrelationId).HasMaxLength(128);
        e.Property(x => x.DeviceId).HasMaxLength(128);
        e.Property(x => x.ModuleId).HasMaxLength(128);
        e.Property(x => x.BlobName).HasMaxLength(1024);
        e.Property(x => x.Container).HasMaxLength(63);
        e.Property(x => x.StatusDescription).HasMaxLength(1024);
        e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.CreatedUnixMs });
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
    }
}
