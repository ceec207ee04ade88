using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Provisioning.Storage;

/// <summary>Enrollment groups of the provisioning service.</summary>
internal sealed class EnrollmentGroupEntityConfiguration : IEntityTypeConfiguration<EnrollmentGroupEntity>
{
    public void Configure(EntityTypeBuilder<EnrollmentGroupEntity> e)
    {
        e.ToTable("enrollment_groups");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.Id).HasMaxLength(255);
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
