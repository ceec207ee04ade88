using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Dashboards.Storage;

/// <summary>Dashboards, keyed by application and the caller-chosen id.</summary>
internal sealed class DashboardEntityConfiguration : IEntityTypeConfiguration<DashboardEntity>
{
    public void Configure(EntityTypeBuilder<DashboardEntity> e)
    {
        e.ToTable("dashboards");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
