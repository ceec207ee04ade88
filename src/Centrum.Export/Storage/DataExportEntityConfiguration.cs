using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Export.Storage;

/// <summary>Data export definitions.</summary>
internal sealed class DataExportEntityConfiguration : IEntityTypeConfiguration<DataExportEntity>
{
    public void Configure(EntityTypeBuilder<DataExportEntity> e)
    {
        e.ToTable("data_exports");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
