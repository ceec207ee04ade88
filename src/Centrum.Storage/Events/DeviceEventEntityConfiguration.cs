using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Storage.Events;

/// <summary>The device-event log, written only through <see cref="DeviceEventLog"/>. It has no foreign key: a device's events outlive the device (its deletion is itself an event), so they go only with the application.</summary>
internal sealed class DeviceEventEntityConfiguration : IEntityTypeConfiguration<DeviceEventEntity>
{
    public void Configure(EntityTypeBuilder<DeviceEventEntity> e)
    {
        e.ToTable("device_events");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.ApplicationId, x.Id });
        e.HasIndex(x => new { x.ApplicationId, x.DeviceId, x.Kind });
    }
}
