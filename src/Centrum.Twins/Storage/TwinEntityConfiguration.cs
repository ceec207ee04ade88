using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Twins.Storage;

/// <summary>Device and module twins; each section's version is its concurrency token.</summary>
internal sealed class TwinEntityConfiguration : IEntityTypeConfiguration<TwinEntity>
{
    public void Configure(EntityTypeBuilder<TwinEntity> e)
    {
        e.ToTable("twins");
        e.HasKey(x => new { x.ApplicationId, x.DeviceId, x.ModuleId });
        e.Property(x => x.DesiredVersion).IsConcurrencyToken();
        e.Property(x => x.ReportedVersion).IsConcurrencyToken();
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
    }
}
