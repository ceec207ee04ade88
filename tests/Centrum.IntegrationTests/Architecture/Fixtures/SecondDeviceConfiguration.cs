using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.IntegrationTests.Architecture.Fixtures;

/// <summary>Never applied: a second configuration of the devices table, outside the devices area, for the ownership test to refuse.</summary>
public sealed class SecondDeviceConfiguration : IEntityTypeConfiguration<DeviceEntity>
{
    public void Configure(EntityTypeBuilder<DeviceEntity> builder) => builder.ToTable("devices");
}
