using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Commands.Storage;

/// <summary>The command history, read per device, component and command, newest first.</summary>
internal sealed class CommandRecordEntityConfiguration : IEntityTypeConfiguration<CommandRecordEntity>
{
    public void Configure(EntityTypeBuilder<CommandRecordEntity> e)
    {
        e.ToTable("command_records");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.ModuleId, x.Component, x.CommandName, x.Time });
        e.HasOne<DeviceEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.DeviceId }).OnDelete(DeleteBehavior.Cascade);
    }
}
