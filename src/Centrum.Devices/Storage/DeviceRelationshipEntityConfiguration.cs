using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Devices.Storage;

/// <summary>
/// Gateway relationships, unique by id within their application. A downstream device has at most one gateway, as an IoT
/// Hub device has at most one parent (IoT Hub docs "Connect a downstream device to an Azure IoT Edge gateway": a
/// downstream device's <c>parentScopes</c> names one parent), so the target is unique too. The row goes with either
/// device.
/// </summary>
internal sealed class DeviceRelationshipEntityConfiguration : IEntityTypeConfiguration<DeviceRelationshipEntity>
{
    public void Configure(EntityTypeBuilder<DeviceRelationshipEntity> e)
    {
        e.ToTable("device_relationships");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.Id).HasMaxLength(DeviceRelationships.MaxIdLength);
        e.Property(x => x.SourceId).HasMaxLength(128);
        e.Property(x => x.TargetId).HasMaxLength(128);
        e.HasIndex(x => new { x.ApplicationId, x.TargetId }).IsUnique();
        e.HasIndex(x => new { x.ApplicationId, x.SourceId });
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.SourceId }).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.TargetId }).OnDelete(DeleteBehavior.Cascade);
    }
}
