using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Centrum.Jobs.Storage;

/// <summary>Jobs, keyed by application and the caller-chosen id; listed newest first and found by status and schedule.</summary>
internal sealed class JobEntityConfiguration : IEntityTypeConfiguration<JobEntity>
{
    public void Configure(EntityTypeBuilder<JobEntity> e)
    {
        e.ToTable("jobs");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.Revision).IsConcurrencyToken();
        e.HasIndex(x => new { x.ApplicationId, x.CreatedTicks });
        e.HasIndex(x => new { x.Status, x.CreatedTicks });
        e.HasIndex(x => new { x.ApplicationId, x.ScheduledJobId, x.CreatedTicks });
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// A job's targets, keyed by job and device; found by status in ordinal order as the runner takes the next devices of
/// a batch. No foreign key to the device: a job's record of a device outlives the device, as a job's history should.
/// </summary>
internal sealed class JobDeviceEntityConfiguration : IEntityTypeConfiguration<JobDeviceEntity>
{
    public void Configure(EntityTypeBuilder<JobDeviceEntity> e)
    {
        e.ToTable("job_devices");
        e.HasKey(x => new { x.ApplicationId, x.JobId, x.DeviceId });
        e.HasIndex(x => new { x.ApplicationId, x.JobId, x.Status, x.Ordinal });
        e.HasIndex(x => new { x.ApplicationId, x.JobId, x.Ordinal });
        e.HasOne<JobEntity>().WithMany().HasForeignKey(x => new { x.ApplicationId, x.JobId }).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Scheduled jobs, keyed by application and the caller-chosen id; the scheduler finds due ones by their next run.</summary>
internal sealed class ScheduledJobEntityConfiguration : IEntityTypeConfiguration<ScheduledJobEntity>
{
    public void Configure(EntityTypeBuilder<ScheduledJobEntity> e)
    {
        e.ToTable("scheduled_jobs");
        e.HasKey(x => new { x.ApplicationId, x.Id });
        e.Property(x => x.ETag).IsConcurrencyToken();
        e.HasIndex(x => x.NextRunTicks);
        e.HasOne<ApplicationEntity>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
