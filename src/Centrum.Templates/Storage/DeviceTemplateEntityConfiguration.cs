using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Templates.Storage;

/// <summary>Device templates, found by id or by the model id a device announces.</summary>
internal sealed class DeviceTemplateEntityConfiguration : IEntityTypeConfiguration<DeviceTemplateEntity>
{
    public void Configure(EntityTypeBuilder<DeviceTemplateEntity> e)
    {
        e.ToTable("device_templates");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasIndex(x => new { x.ApplicationId, x.ModelId });
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
