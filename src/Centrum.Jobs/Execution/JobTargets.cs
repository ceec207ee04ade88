using System.Globalization;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Jobs.Execution;

/// <summary>
/// Lists a job's targets once, durably, before any device is acted on: a page at a time into the job's device rows with
/// consecutive ordinals, the job's <see cref="JobEntity.TargetCursor"/> moved in the same transaction as the page's
/// rows, so a restart mid-way goes on after the last page and never lists a device twice. At the end the total is
/// kept and every row gets its batch.
/// </summary>
internal sealed class JobTargets(IDbContextFactory<CentrumDbContext> contexts, DeviceGroupService groups, DeviceRegistry devices, TimeProvider time)
{
    /// <summary>Targets listed per page: the groups area's largest member page.</summary>
    public const int PageSize = DeviceGroupService.MaxPageSize;

    /// <summary>The cursor once every page is listed, before the total and batches are kept.</summary>
    private const string Listed = "";

    /// <summary>Lists the rest of the targets; null when done (or stopped), else why the job cannot run.</summary>
    public async Task<string?> ListAsync(JobEntity job, JobDefinition definition, OrganizationReach reach, CancellationToken stopping, CancellationToken cancellationToken)
    {
        int next;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            next = (await JobRows.Rows(db, job.ApplicationId, job.Id).MaxAsync(d => (int?)d.Ordinal, cancellationToken) ?? -1) + 1;
        }

        var cursor = job.TargetCursor;
        while (cursor != Listed)
        {
            if (stopping.IsCancellationRequested)
            {
                return null;
            }

            var page = await PageAsync(job, definition, reach, cursor, cancellationToken);
            if (!page.Succeeded)
            {
                return page.Problem.Message;
            }

            var (found, gone, after) = page.Value;
            cursor = after ?? Listed;
            next = await WriteAsync(job, found, gone, next, cursor, cancellationToken);
        }

        await FinishAsync(job, definition, next, cancellationToken);
        return null;
    }

    /// <summary>How many devices a batch holds: a number, or a percentage of the total rounded up; at least one. No batch is one batch of everything.</summary>
    public static int BatchSize(JobBatch? batch, int total) => batch switch
    {
        null => Math.Max(1, total),
        { Kind: JobAmountKind.Number } => (int)Math.Clamp(batch.Value, 1, int.MaxValue),
        _ => Math.Max(1, (int)Math.Ceiling(total * batch.Value / 100)),
    };

    private async Task<Outcome<TargetPage>> PageAsync(JobEntity job, JobDefinition definition, OrganizationReach reach, string? cursor, CancellationToken cancellationToken)
    {
        if (job.RerunOf is { } original)
        {
            var after = cursor is null ? -1 : int.Parse(cursor, NumberStyles.None, CultureInfo.InvariantCulture);
            List<(string DeviceId, int Ordinal)> failed;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                failed = (await JobRows.Rows(db, job.ApplicationId, original)
                    .Where(d => d.Status == JobRows.FailedDevice && d.Ordinal > after)
                    .OrderBy(d => d.Ordinal).Take(PageSize).Select(d => new { d.DeviceId, d.Ordinal }).ToListAsync(cancellationToken))
                    .Select(d => (d.DeviceId, d.Ordinal)).ToList();
            }

            var (found, gone) = await CheckAsync(job.ApplicationId, failed.Select(f => f.DeviceId), reach, cancellationToken);
            var next = failed.Count < PageSize ? null : failed[^1].Ordinal.ToString(CultureInfo.InvariantCulture);
            return new TargetPage(found, gone, next);
        }

        if (definition.Devices is { } list)
        {
            var start = cursor is null ? 0 : int.Parse(cursor, NumberStyles.None, CultureInfo.InvariantCulture);
            var slice = list.Skip(start).Take(PageSize).ToList();
            var (found, gone) = await CheckAsync(job.ApplicationId, slice, reach, cancellationToken);
            var end = start + slice.Count;
            return new TargetPage(found, gone, end < list.Count ? end.ToString(CultureInfo.InvariantCulture) : null);
        }

        var members = await groups.MembersAsync(job.ApplicationId, definition.Group!, reach, cursor, PageSize, cancellationToken);
        if (!members.Succeeded)
        {
            return members.Problem.Kind == ProblemKind.NotFound
                ? Problem.NotFound($"The device group '{definition.Group}' no longer exists (or is no longer within the job's reach).")
                : members.Problem;
        }

        return new TargetPage(members.Value.Devices.Select(d => d.Id).ToList(), [], members.Value.ContinueAfter);
    }

    /// <summary>Devices named one by one must still exist within the job's reach; the others become failed rows with the reason.</summary>
    private async Task<(List<string> Found, List<string> Gone)> CheckAsync(string applicationId, IEnumerable<string> ids, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        var gone = new List<string>();
        foreach (var id in ids)
        {
            if ((await devices.FindAsync(applicationId, id, reach, cancellationToken)).Succeeded)
            {
                found.Add(id);
            }
            else
            {
                gone.Add(id);
            }
        }

        return (found, gone);
    }

    private async Task<int> WriteAsync(JobEntity job, List<string> found, List<string> gone, int next, string cursor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = found.Concat(gone).ToList();
        // Rows and cursor are written together, so no page is listed twice; this guards a source naming a device twice.
        var known = await JobRows.Rows(db, job.ApplicationId, job.Id).Where(d => ids.Contains(d.DeviceId)).Select(d => d.DeviceId).ToListAsync(cancellationToken);
        var seen = known.ToHashSet(StringComparer.Ordinal);
        var failed = 0;
        foreach (var id in ids)
        {
            if (!seen.Add(id))
            {
                continue;
            }

            var isGone = gone.Contains(id, StringComparer.Ordinal);
            failed += isGone ? 1 : 0;
            db.JobDevices.Add(new JobDeviceEntity
            {
                ApplicationId = job.ApplicationId,
                JobId = job.Id,
                DeviceId = id,
                Ordinal = next++,
                Status = isGone ? JobRows.FailedDevice : JobRows.PendingDevice,
                Reason = isGone ? "The device no longer exists or is outside the job's reach." : null,
                Ended = isGone ? now : null,
            });
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Jobs.Where(j => j.ApplicationId == job.ApplicationId && j.Id == job.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.TargetCursor, cursor).SetProperty(j => j.Failed, j => j.Failed + failed), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return next;
    }

    private async Task FinishAsync(JobEntity job, JobDefinition definition, int total, CancellationToken cancellationToken)
    {
        var size = BatchSize(definition.Batch, total);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await JobRows.Rows(db, job.ApplicationId, job.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Batch, d => d.Ordinal / size), cancellationToken);
        await db.Jobs.Where(j => j.ApplicationId == job.ApplicationId && j.Id == job.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Total, total).SetProperty(j => j.TargetsReady, true).SetProperty(j => j.CurrentBatch, 0), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record TargetPage(List<string> Found, List<string> Gone, string? After);
}
