using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Identity.Storage;

/// <summary>An application's custom roles; they go with the application.</summary>
internal sealed class CustomRoleEntityConfiguration : IEntityTypeConfiguration<CustomRoleEntity>
{
    public void Configure(EntityTypeBuilder<CustomRoleEntity> e)
    {
        e.ToTable("custom_roles");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
