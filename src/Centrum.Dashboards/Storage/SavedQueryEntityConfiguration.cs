using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Dashboards.Storage;

/// <summary>Saved data-explorer queries, keyed by application and the id the area assigns.</summary>
internal sealed class SavedQueryEntityConfiguration : IEntityTypeConfiguration<SavedQueryEntity>
{
    public void Configure(EntityTypeBuilder<SavedQueryEntity> e)
    {
        e.ToTable("saved_queries");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
