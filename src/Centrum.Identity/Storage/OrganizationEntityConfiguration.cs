using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Identity.Storage;

/// <summary>An application's organization tree (children found by parent); it goes with the application.</summary>
internal sealed class OrganizationEntityConfiguration : IEntityTypeConfiguration<OrganizationEntity>
{
    public void Configure(EntityTypeBuilder<OrganizationEntity> e)
    {
        e.ToTable("organizations");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasIndex(x => new { x.ApplicationId, x.Parent });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
