using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Centrum.Devices;
using Centrum.Jobs.Internal;
using Centrum.Organizations;
using Centrum.Storage.Entities;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Execution;

/// <summary>The services a worker acts through; one set for the runner, shared by its workers.</summary>
internal sealed record JobWorkerParts(
    JobRows Rows,
    JobTargets Targets,
    DeviceActions Actions,
    JobAdmission Admission,
    TwinService Twins,
    DeviceRegistry Devices,
    IOrganizationCatalog Organizations,
    JobsMetrics Metrics,
    JobsOptions Options,
    TimeProvider Time,
    ILogger Logger);

/// <summary>
/// Runs one job while it is running: lists its targets, then acts on its devices batch after batch, at most
/// <see cref="JobsOptions.MaxDevicesInFlight"/> at once and no faster than its rollout rate, until every device finished
/// (complete), a threshold cancelled it, or a caller stopped it. Everything it knows is read from the rows, so a worker
/// started after a restart goes on where the last one was.
/// </summary>
internal sealed class JobWorker(string applicationId, string jobId, JobWorkerParts parts) : IDisposable
{
    /// <summary>Rows read per query when taking up the devices a stopped process left running.</summary>
    private const int RecoveryPage = 1000;

    /// <summary>Pending rows read per query when starting devices, whatever the in-flight cap.</summary>
    private const int FillPage = 1000;

    private readonly CancellationTokenSource _stopping = new();
    private AcknowledgementWatch? _acknowledgements;
    private ConnectionWatch? _connections;
    private long _lastLook;

    public string ApplicationId => applicationId;

    public string JobId => jobId;

    public void Reported(string deviceId) => _acknowledgements?.Reported(deviceId);

    public void Connected(string deviceId) => _connections?.Connected(deviceId);

    /// <summary>A caller changed the job: read it again, and start no further device if it no longer runs.</summary>
    public async Task ChangedAsync(CancellationToken cancellationToken)
    {
        var job = await parts.Rows.JobAsync(applicationId, jobId, cancellationToken);
        if (job is null || job.Status != JobRows.RunningJob)
        {
            try
            {
                await _stopping.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The worker ended meanwhile: nothing is left to stop.
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Runs the job until it leaves running and its devices in flight finished; answers its status then.</summary>
    public async Task<JobStatus> RunAsync(CancellationToken cancellationToken)
    {
        var job = await parts.Rows.JobAsync(applicationId, jobId, cancellationToken);
        if (job is null || job.Status != JobRows.RunningJob)
        {
            return job is null ? JobStatus.Failed : JobStates.ParseStatus(job.Status);
        }

        JobDefinition definition;
        try
        {
            definition = DefinitionJson.ReadDefinition(job.Definition);
        }
        catch (JsonException)
        {
            // Written by this area, so only a damaged row gets here; failing the job beats retrying it forever.
            return await EndAsync(JobStatus.Failed, "The job's stored definition cannot be read.", cancellationToken);
        }

        var reach = await ReachAsync(job, cancellationToken);
        if (!job.TargetsReady)
        {
            if (await parts.Targets.ListAsync(job, definition, reach, _stopping.Token, cancellationToken) is { } problem)
            {
                Log.TargetsFailed(parts.Logger, applicationId, jobId);
                return await EndAsync(JobStatus.Failed, problem, cancellationToken);
            }

            job = await parts.Rows.JobAsync(applicationId, jobId, cancellationToken);
            if (job is null || !job.TargetsReady)
            {
                return JobStatus.Stopped;
            }

            Log.TargetsListed(parts.Logger, applicationId, jobId, job.Total);
        }

        _acknowledgements = new AcknowledgementWatch(applicationId, parts.Twins, parts.Time, parts.Options.PollInterval);
        _connections = new ConnectionWatch(applicationId, parts.Devices, parts.Time, parts.Options.PollInterval);
        var run = new JobRun(applicationId, jobId, definition, reach, definition.ConnectionTimeout ?? JobLimits.DefaultConnectionTimeout, _acknowledgements, _connections);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = _acknowledgements.RunAsync(watching.Token);
        try
        {
            return await ExecuteAsync(job, run, cancellationToken);
        }
        finally
        {
            await watching.CancelAsync();
            await watch.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task<JobStatus> ExecuteAsync(JobEntity job, JobRun run, CancellationToken cancellationToken)
    {
        var definition = run.Definition;
        var batchSize = JobTargets.BatchSize(definition.Batch, job.Total);
        var batches = Math.Max(1, (job.Total + batchSize - 1) / batchSize);
        var pacer = new RolloutPacer(definition.Rollout, job.Completed, parts.Time);
        var inFlight = new List<Task>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStop = _stopping.Token.Register(() => stopped.TrySetResult());

        await RecoverAsync(run, pacer, inFlight, cancellationToken);

        var batch = job.CurrentBatch;
        var span = StartBatch(run, batch);
        var ended = await ThresholdAsync(run, batch, batchSize, job.Total, cancellationToken);
        try
        {
            while (true)
            {
                await LookAgainIfDueAsync(cancellationToken);
                var held = false;
                if (ended is null && !_stopping.IsCancellationRequested)
                {
                    held = await FillAsync(run, batch, pacer, inFlight, cancellationToken);
                }

                if (ended is not null || _stopping.IsCancellationRequested)
                {
                    if (inFlight.Count == 0)
                    {
                        break;
                    }
                }
                else if (inFlight.Count == 0 && !held)
                {
                    // Nothing in flight and nothing pending in this batch: the batch has ended.
                    span?.Dispose();
                    if (batch + 1 < batches)
                    {
                        batch++;
                        await parts.Rows.SetBatchAsync(applicationId, jobId, batch, cancellationToken);
                        span = StartBatch(run, batch);
                        continue;
                    }

                    span = null;
                    ended = await EndAsync(JobStatus.Complete, null, cancellationToken);
                    break;
                }

                await WaitAsync(inFlight, stopped.Task, held ? pacer : null, cancellationToken);
                foreach (var done in inFlight.Where(t => t.IsCompleted).ToList())
                {
                    inFlight.Remove(done);
                    await done;
                }

                ended ??= await ThresholdAsync(run, batch, batchSize, job.Total, cancellationToken);
            }
        }
        catch (Exception)
        {
            // The host stops (or the worker failed): the devices in flight end first, so the next worker finds only
            // rows nobody acts on any more; those left running are taken up as a restart's.
            await Task.WhenAll(inFlight).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        finally
        {
            span?.Dispose();
        }

        var final = await parts.Rows.JobAsync(applicationId, jobId, cancellationToken);
        return final is null ? JobStatus.Failed : JobStates.ParseStatus(final.Status);
    }

    /// <summary>
    /// Starts the batch's next pending devices, in ordinal order, while slots are free and the rollout rate allows;
    /// answers whether the rate held back a device that is pending.
    /// </summary>
    private async Task<bool> FillAsync(JobRun run, int batch, RolloutPacer pacer, List<Task> inFlight, CancellationToken cancellationToken)
    {
        var free = Math.Min(parts.Options.MaxDevicesInFlight - inFlight.Count, FillPage);
        if (free <= 0)
        {
            return false;
        }

        List<string> next;
        await using (var db = await parts.Rows.ContextAsync(cancellationToken))
        {
            next = await JobRows.Rows(db, applicationId, jobId)
                .Where(d => d.Batch == batch && d.Status == JobRows.PendingDevice)
                .OrderBy(d => d.Ordinal).Take(free).Select(d => d.DeviceId).ToListAsync(cancellationToken);
        }

        // As many as the rollout rate lets start now, moved to running together in one commit before any is touched
        // (so a restart knows they may have been), and only while the job runs: a stop committed first starts none.
        var allowed = new List<string>(next.Count);
        var held = false;
        foreach (var deviceId in next)
        {
            if (_stopping.IsCancellationRequested)
            {
                return false;
            }

            if (!pacer.TryTake())
            {
                held = true;
                break;
            }

            allowed.Add(deviceId);
        }

        if (allowed.Count == 0)
        {
            return held;
        }

        var (started, at) = await parts.Rows.StartManyAsync(applicationId, jobId, allowed, cancellationToken);
        if (started.Count < allowed.Count)
        {
            await ChangedAsync(cancellationToken);
        }

        foreach (var deviceId in started)
        {
            inFlight.Add(ActAsync(run, pacer, deviceId, at, null, recovering: false, cancellationToken));
        }

        return held;
    }

    /// <summary>Until a device in flight finishes, a caller stops the job, or (when the rate held one back) the next device may start.</summary>
    private async Task WaitAsync(List<Task> inFlight, Task stopped, RolloutPacer? pacer, CancellationToken cancellationToken)
    {
        var waits = new List<Task>(inFlight);
        if (!_stopping.IsCancellationRequested)
        {
            waits.Add(stopped);
        }

        using var rate = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        if (pacer is not null)
        {
            waits.Add(pacer.WhenReadyAsync(rate.Token));
        }

        await Task.WhenAny(waits);
        await rate.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Devices a stopped process left running: a command is not sent again, the others are taken up where they were.</summary>
    private async Task RecoverAsync(JobRun run, RolloutPacer pacer, List<Task> inFlight, CancellationToken cancellationToken)
    {
        var after = -1;
        while (true)
        {
            List<JobDeviceEntity> left;
            await using (var db = await parts.Rows.ContextAsync(cancellationToken))
            {
                left = await JobRows.Rows(db, applicationId, jobId).AsNoTracking()
                    .Where(d => d.Status == JobRows.RunningDevice && d.Ordinal > after)
                    .OrderBy(d => d.Ordinal).Take(RecoveryPage).ToListAsync(cancellationToken);
            }

            foreach (var row in left)
            {
                Log.DeviceInterrupted(parts.Logger, applicationId, jobId, row.DeviceId,
                    run.Definition.Data[0].Kind == JobDataKind.Command ? "the command is not sent again" : "it is taken up again");
                inFlight.Add(ActAsync(run, pacer, row.DeviceId, row.Started ?? parts.Time.GetUtcNow(), row.Awaiting, recovering: true, cancellationToken));
            }

            if (left.Count < RecoveryPage)
            {
                return;
            }

            after = left[^1].Ordinal;
        }
    }

    private async Task ActAsync(JobRun run, RolloutPacer pacer, string deviceId, DateTimeOffset started, string? awaiting, bool recovering, CancellationToken cancellationToken)
    {
        using var span = JobsTracing.Source.StartActivity("jobs.device");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.job.id", jobId);
        span?.SetTag("centrum.device_id", deviceId);
        parts.Metrics.Started();
        try
        {
            var result = await parts.Actions.ActAsync(run, deviceId, started, awaiting, recovering, cancellationToken);
            span?.SetTag("centrum.job.device_state", JobStates.Name(result.State));
            if (await parts.Rows.FinishAsync(applicationId, jobId, deviceId, result.State, result.Reason, cancellationToken))
            {
                parts.Metrics.Finished(run.Definition.Data[0].Kind, result.State);
                if (result.State == JobDeviceState.Completed)
                {
                    pacer.Completed();
                }
            }

            Log.DeviceFinished(parts.Logger, applicationId, jobId, deviceId, result.State);
        }
        finally
        {
            parts.Metrics.Ended();
        }
    }

    /// <summary>
    /// The job's cancellation threshold (IoT Central: a number or a percentage of the devices, over the job or within
    /// each batch) and abort criteria (AWS IoT jobs: a failure rate once enough devices finished). Reached, the job is
    /// cancelled: devices not started stay pending, those in flight finish and are recorded.
    /// </summary>
    private async Task<JobStatus?> ThresholdAsync(JobRun run, int batch, int batchSize, int total, CancellationToken cancellationToken)
    {
        var definition = run.Definition;
        if (definition.CancellationThreshold is null && definition.Abort is null)
        {
            return null;
        }

        await using var db = await parts.Rows.ContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.ApplicationId == applicationId && j.Id == jobId, cancellationToken);
        if (job is null)
        {
            // Deleted with its application: there is nothing left to cancel.
            return JobStatus.Failed;
        }

        string? reason = null;
        if (definition.CancellationThreshold is { } threshold)
        {
            int failed, limit;
            if (threshold.PerBatch)
            {
                failed = await JobRows.Rows(db, applicationId, jobId).CountAsync(d => d.Batch == batch && d.Status == JobRows.FailedDevice, cancellationToken);
                limit = Limit(threshold, Math.Min(batchSize, total - (batch * batchSize)));
            }
            else
            {
                failed = job.Failed;
                limit = Limit(threshold, total);
            }

            if (failed >= limit)
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"The cancellation threshold was reached: {failed} devices failed{(threshold.PerBatch ? " in batch " + (batch + 1) : "")}, the threshold is {limit}.");
            }
        }

        if (reason is null && definition.Abort is { } abort)
        {
            var finished = job.Completed + job.Failed;
            if (finished >= abort.MinimumDevices && job.Failed * 100.0 / finished >= abort.FailureRatePercent)
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"The abort criteria were met: {job.Failed} of {finished} finished devices failed, at least {abort.FailureRatePercent}% after {abort.MinimumDevices}.");
            }
        }

        if (reason is null)
        {
            return null;
        }

        Log.JobCancelled(parts.Logger, applicationId, jobId, definition.CancellationThreshold is not null && reason.StartsWith("The cancellation", StringComparison.Ordinal) ? "cancellation threshold" : "abort criteria");
        return await EndAsync(JobStatus.Cancelled, reason, cancellationToken);
    }

    private static int Limit(JobCancellationThreshold threshold, int size) => threshold.Kind == JobAmountKind.Number
        ? (int)Math.Clamp(threshold.Value, 1, int.MaxValue)
        : Math.Max(1, (int)Math.Ceiling(size * threshold.Value / 100));

    /// <summary>Ends the job if it still runs; a job a caller stopped meanwhile stays stopped.</summary>
    private async Task<JobStatus> EndAsync(JobStatus status, string? reason, CancellationToken cancellationToken)
    {
        if (await parts.Rows.EndAsync(applicationId, jobId, status, reason, cancellationToken))
        {
            if (status == JobStatus.Complete && await parts.Rows.JobAsync(applicationId, jobId, cancellationToken) is { } job)
            {
                Log.JobComplete(parts.Logger, applicationId, jobId, job.Completed, job.Failed);
            }

            await _stopping.CancelAsync();
            // The slot is free: a pending job of the application may start.
            await parts.Admission.AdmitAsync(applicationId, cancellationToken);
            return status;
        }

        return JobStatus.Stopped;
    }

    /// <summary>Reads the job's status again at the poll interval, beside the caller's signal, in case a signal was missed.</summary>
    private async Task LookAgainIfDueAsync(CancellationToken cancellationToken)
    {
        var now = parts.Time.GetTimestamp();
        if (parts.Time.GetElapsedTime(_lastLook, now) >= parts.Options.PollInterval)
        {
            _lastLook = now;
            await ChangedAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The reach the job acts within: its creator's (kept with it; null is the whole application), narrowed to the
    /// job's organization and its descendants when it belongs to one.
    /// </summary>
    private async Task<OrganizationReach> ReachAsync(JobEntity job, CancellationToken cancellationToken)
    {
        var reach = JobService.StoredReach(job.Reach);
        var owners = DefinitionJson.ReadIds(job.Organizations);
        if (owners.Count > 0)
        {
            reach = JobService.Narrow(reach, await parts.Organizations.SubtreeAsync(applicationId, owners, cancellationToken));
        }

        return OrganizationReach.From(reach);
    }

    private Activity? StartBatch(JobRun run, int batch)
    {
        Log.BatchStarted(parts.Logger, applicationId, jobId, batch + 1);
        var span = JobsTracing.Source.StartActivity("jobs.batch");
        span?.SetTag("centrum.application_id", run.ApplicationId);
        span?.SetTag("centrum.job.id", run.JobId);
        span?.SetTag("centrum.job.batch", batch + 1);
        return span;
    }
}
