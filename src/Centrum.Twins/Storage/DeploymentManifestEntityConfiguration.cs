using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Twins.Storage;

/// <summary>
/// Deployment manifests, owned by the twins area: a manifest is the desired properties of an IoT Edge device's module
/// twins, and applying one writes them. Ids are at most 255 characters (IoT Central REST API 2022-10-31-preview,
/// <c>deploymentManifestId</c>).
/// </summary>
internal sealed class DeploymentManifestEntityConfiguration : IEntityTypeConfiguration<DeploymentManifestEntity>
{
    public void Configure(EntityTypeBuilder<DeploymentManifestEntity> e)
    {
        e.ToTable("deployment_manifests");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.Id).HasMaxLength(255);
        e.Property(x => x.ETag).IsConcurrencyToken();
    }
}
