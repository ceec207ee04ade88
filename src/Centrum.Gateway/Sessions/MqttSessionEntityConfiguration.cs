using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Gateway.Sessions;

/// <summary>Persistent MQTT sessions (MQTT 3.1.1 section 3.1.2.4, clean session 0), keyed by client id within an application.</summary>
internal sealed class MqttSessionEntityConfiguration : IEntityTypeConfiguration<MqttSessionEntity>
{
    public void Configure(EntityTypeBuilder<MqttSessionEntity> e)
    {
        e.ToTable("mqtt_sessions");
        e.HasKey(x => new { x.ApplicationId, x.ClientId });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
