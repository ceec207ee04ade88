using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Dashboards.Storage;

/// <summary>
/// One favorite per member and application. No foreign key to the dashboard: a favorite whose dashboard is deleted, or
/// no longer seen by its member, is passed over when the home page is shown.
/// </summary>
internal sealed class DashboardFavoriteEntityConfiguration : IEntityTypeConfiguration<DashboardFavoriteEntity>
{
    public void Configure(EntityTypeBuilder<DashboardFavoriteEntity> e)
    {
        e.ToTable("dashboard_favorites");
        e.HasKey(x => new { x.ApplicationId, x.Member });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
