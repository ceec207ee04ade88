using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Devices.Storage;

/// <summary>The file upload configuration, one row per application (IoT Central's <c>/fileUploads</c> is a singleton).</summary>
internal sealed class FileUploadSettingsEntityConfiguration : IEntityTypeConfiguration<FileUploadSettingsEntity>
{
    public void Configure(EntityTypeBuilder<FileUploadSettingsEntity> e)
    {
        e.ToTable("file_upload_settings");
        e.HasKey(x => x.ApplicationId);
        e.Property(x => x.Account).HasMaxLength(256);
        e.Property(x => x.Container).HasMaxLength(63);
        e.Property(x => x.ETag).IsConcurrencyToken();
    }
}
