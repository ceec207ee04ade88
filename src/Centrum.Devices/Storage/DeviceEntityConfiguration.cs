using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Devices.Storage;

/// <summary>The device registry. Device ids are at most 128 characters (IoT Hub documentation, "Device identity properties").</summary>
internal sealed class DeviceEntityConfiguration : IEntityTypeConfiguration<DeviceEntity>
{
    public void Configure(EntityTypeBuilder<DeviceEntity> e)
    {
        e.ToTable("devices");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.Id).HasMaxLength(128);
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
