using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Execution;

/// <summary>
/// The runner's writes to a job and its device rows. Every write is conditional on the state it moves from, and a
/// job's counters are moved in the same transaction as the row whose state changed, so a restart reads counters that
/// match the rows exactly. Counters are moved by increments in the database, never by writing a value read before, so
/// a caller's stop (which writes the status) and the runner never overwrite each other.
/// </summary>
internal sealed class JobRows(IDbContextFactory<CentrumDbContext> contexts, TimeProvider time)
{
    internal static readonly string PendingDevice = JobStates.Name(JobDeviceState.Pending);
    internal static readonly string RunningDevice = JobStates.Name(JobDeviceState.Running);
    internal static readonly string CompletedDevice = JobStates.Name(JobDeviceState.Completed);
    internal static readonly string FailedDevice = JobStates.Name(JobDeviceState.Failed);
    internal static readonly string RunningJob = JobStates.Name(JobStatus.Running);

    public Task<CentrumDbContext> ContextAsync(CancellationToken cancellationToken) => contexts.CreateDbContextAsync(cancellationToken);

    public async Task<JobEntity?> JobAsync(string applicationId, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.ApplicationId == applicationId && j.Id == jobId, cancellationToken);
    }

    /// <summary>
    /// Moves several pending devices to running in one commit, only while their job runs, before any of them is
    /// touched; answers those that moved (all of them, or none when a caller's stop was committed first) and when.
    /// One commit for a page of starts instead of one per device: a start is a synced write, and the worker starting
    /// devices one commit after another could not keep its in-flight devices busy (docs/benchmarks.md, "Jobs").
    /// </summary>
    public async Task<(IReadOnlyList<string> Started, DateTimeOffset At)> StartManyAsync(
        string applicationId, string jobId, IReadOnlyList<string> deviceIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // SQLite begins it immediate (Microsoft.Data.Sqlite's default), so nothing commits between the read and the update;
        // PostgreSQL re-checks the update's conditions, and a count that differs from the read undoes it.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var jobRuns = db.Jobs.Where(j => j.ApplicationId == applicationId && j.Id == jobId && j.Status == RunningJob);
        var pending = await Rows(db, applicationId, jobId)
            .Where(d => deviceIds.Contains(d.DeviceId) && d.Status == PendingDevice && jobRuns.Any())
            .Select(d => d.DeviceId).ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return ([], now);
        }

        var moved = await Rows(db, applicationId, jobId).Where(d => pending.Contains(d.DeviceId) && d.Status == PendingDevice && jobRuns.Any())
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, RunningDevice).SetProperty(d => d.Started, now), cancellationToken);
        if (moved != pending.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return ([], now);
        }

        await transaction.CommitAsync(cancellationToken);
        return (pending, now);
    }

    /// <summary>Keeps what a running device is waited on, so a restart waits for the same thing.</summary>
    public async Task AwaitAsync(string applicationId, string jobId, string deviceId, string awaiting, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await Row(db, applicationId, jobId, deviceId).Where(d => d.Status == RunningDevice)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Awaiting, awaiting), cancellationToken);
    }

    /// <summary>Moves a running device to completed or failed, and the job's counter with it; false when it was not running.</summary>
    public async Task<bool> FinishAsync(string applicationId, string jobId, string deviceId, JobDeviceState state, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = JobStates.Name(state);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = await Row(db, applicationId, jobId, deviceId).Where(d => d.Status == RunningDevice)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, status).SetProperty(d => d.Reason, reason).SetProperty(d => d.Ended, now).SetProperty(d => d.Awaiting, (string?)null), cancellationToken);
        if (moved != 1)
        {
            return false;
        }

        var job = db.Jobs.Where(j => j.ApplicationId == applicationId && j.Id == jobId);
        if (state == JobDeviceState.Completed)
        {
            await job.ExecuteUpdateAsync(s => s.SetProperty(j => j.Completed, j => j.Completed + 1), cancellationToken);
        }
        else
        {
            await job.ExecuteUpdateAsync(s => s.SetProperty(j => j.Failed, j => j.Failed + 1), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Ends a running job; false when a caller moved it first (stopped it).</summary>
    public async Task<bool> EndAsync(string applicationId, string jobId, JobStatus status, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var name = JobStates.Name(status);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var moved = await db.Jobs.Where(j => j.ApplicationId == applicationId && j.Id == jobId && j.Status == RunningJob)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, name).SetProperty(j => j.StatusReason, reason).SetProperty(j => j.End, now).SetProperty(j => j.Revision, j => j.Revision + 1), cancellationToken);
        return moved == 1;
    }

    public async Task SetBatchAsync(string applicationId, string jobId, int batch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Jobs.Where(j => j.ApplicationId == applicationId && j.Id == jobId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.CurrentBatch, batch), cancellationToken);
    }

    internal static IQueryable<JobDeviceEntity> Rows(CentrumDbContext db, string applicationId, string jobId) =>
        db.JobDevices.Where(d => d.ApplicationId == applicationId && d.JobId == jobId);

    private static IQueryable<JobDeviceEntity> Row(CentrumDbContext db, string applicationId, string jobId, string deviceId) =>
        db.JobDevices.Where(d => d.ApplicationId == applicationId && d.JobId == jobId && d.DeviceId == deviceId);
}
