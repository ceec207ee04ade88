using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Devices.Storage;

/// <summary>
/// Module identities, under their device. Module ids are at most 128 characters (IoT Hub documentation, "Module identity
/// properties"); the row goes with its device.
/// </summary>
internal sealed class ModuleEntityConfiguration : IEntityTypeConfiguration<ModuleEntity>
{
    public void Configure(EntityTypeBuilder<ModuleEntity> e)
    {
        e.ToTable("modules");
        e.HasKey(x => new { x.ApplicationId, x.DeviceId, x.Id });
        e.Property(x => x.Id).HasMaxLength(128);
        e.Property(x => x.DeviceId).HasMaxLength(128);
        e.Property(x => x.X509PrimaryThumbprint).HasMaxLength(64);
        e.Property(x => x.X509SecondaryThumbprint).HasMaxLength(64);
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
    }
}
