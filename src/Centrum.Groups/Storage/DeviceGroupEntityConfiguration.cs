using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Groups.Storage;

/// <summary>Device groups, keyed by application and the caller-chosen id.</summary>
internal sealed class DeviceGroupEntityConfiguration : IEntityTypeConfiguration<DeviceGroupEntity>
{
    public void Configure(EntityTypeBuilder<DeviceGroupEntity> e)
    {
        e.ToTable("device_groups");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
