using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Commands.Storage;

/// <summary>Queued cloud-to-device messages, read in order per device.</summary>
internal sealed class CloudToDeviceMessageEntityConfiguration : IEntityTypeConfiguration<CloudToDeviceMessageEntity>
{
    public void Configure(EntityTypeBuilder<CloudToDeviceMessageEntity> e)
    {
        e.ToTable("c2d_messages");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Id });
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
    }
}
