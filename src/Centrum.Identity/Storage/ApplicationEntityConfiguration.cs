using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Identity.Storage;

/// <summary>The applications table, the identity area's: every application-owned table is keyed by its id first.</summary>
internal sealed class ApplicationEntityConfiguration : IEntityTypeConfiguration<ApplicationEntity>
{
    public void Configure(EntityTypeBuilder<ApplicationEntity> e)
    {
        e.ToTable("applications");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.DisplayName).HasMaxLength(200);
        e.Property(x => x.HubHostName).HasMaxLength(253);
        e.Property(x => x.IdScope).HasMaxLength(32);
        e.HasIndex(x => x.HubHostName).IsUnique();
        e.HasIndex(x => x.IdScope).IsUnique();
    }
}
