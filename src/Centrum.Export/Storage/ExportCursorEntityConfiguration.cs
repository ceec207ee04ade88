using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Export.Storage;

/// <summary>Where each export stands per destination; a cursor goes with its export.</summary>
internal sealed class ExportCursorEntityConfiguration : IEntityTypeConfiguration<ExportCursorEntity>
{
    public void Configure(EntityTypeBuilder<ExportCursorEntity> e)
    {
        e.ToTable("export_cursors");
        e.HasKey(x => new { x.ApplicationId, x.ExportId, x.DestinationId });
        e.HasOne<DataExportEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.ExportId }).OnDelete(DeleteBehavior.Cascade);
    }
}
