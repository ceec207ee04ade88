using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Identity.Storage;

/// <summary>An application's users and their roles (found by e-mail at sign-in); they go with the application.</summary>
internal sealed class ApplicationUserEntityConfiguration : IEntityTypeConfiguration<ApplicationUserEntity>
{
    public void Configure(EntityTypeBuilder<ApplicationUserEntity> e)
    {
        e.ToTable("application_users");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasIndex(x => new { x.ApplicationId, x.Email });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
