using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Export.Storage;

/// <summary>Data export destinations (their secrets protected).</summary>
internal sealed class DataExportDestinationEntityConfiguration : IEntityTypeConfiguration<DataExportDestinationEntity>
{
    public void Configure(EntityTypeBuilder<DataExportDestinationEntity> e)
    {
        e.ToTable("data_export_destinations");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
