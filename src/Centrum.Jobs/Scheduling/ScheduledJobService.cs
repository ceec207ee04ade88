using System.Security.Cryptography;
using Centrum.Jobs.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Scheduling;

/// <summary>
/// The one way in to scheduled jobs (IoT Central REST API 2022-07-31, the ScheduledJobs operations). A scheduled job's
/// definition meets every rule of a job (<see cref="JobService.CheckAsync"/>, within the writer's reach); its schedule
/// has a start, an optional daily, weekly or monthly recurrence, and for a recurring one an optional end by date
/// (inclusive) or by a number of runs (1–999). The writer's reach is kept with it, so every run acts within it.
/// <para>
/// When a schedule is written (created, its <c>schedule</c> changed, or enabled again), its next run is the first
/// occurrence at or after that moment: earlier occurrences were never due, so they are not caught up. A one-off schedule
/// whose start has passed runs at once. Runs count over the scheduled job's life: an <c>occurrences</c> end bounds all
/// its runs, and a one-off one runs once.
/// </para>
/// </summary>
public sealed class ScheduledJobService(
    IDbContextFactory<CentrumDbContext> contexts,
    JobService jobs,
    ScheduleSignals signals,
    TimeProvider time,
    ILogger<ScheduledJobService> logger)
{
    /// <summary>IoT Central's <c>maxpagesize</c> range (REST API 2022-10-31-preview: 1–100).</summary>
    public const int MaxPageSize = 100;

    /// <summary>
    /// Scheduled jobs per application. IoT Central's "Quotas and limits" names none; this is its bound on device groups
    /// (1,000), which every schedule targets, and it bounds what one scheduler pass and one list read per application.
    /// </summary>
    public const int MaxScheduledJobs = 1000;

    /// <summary>IoT Central's <c>OccurrencesJobScheduleEnd.occurrences</c>: 1 to 999 (REST API swagger).</summary>
    public const int MaxOccurrences = 999;

    private const string ETagMismatchMessage = "The scheduled job's etag does not match; read it again.";

    private const string ConflictMessage = "The scheduled job was changed meanwhile (by a caller or by its own run); read it again and retry.";

    private static readonly string[] ActiveStatuses = [JobStates.Name(JobStatus.Pending), JobStates.Name(JobStatus.Running)];

    /// <summary>A page of the application's scheduled jobs the caller reaches, by id; <paramref name="after"/> is the previous page's last id.</summary>
    public async Task<Outcome<ScheduledJobPage>> ListAsync(string applicationId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        if (after is not null && !JobLimits.IsValidId(after))
        {
            return Problem.Invalid("The continuation of the scheduled job list is not valid.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = new List<ScheduledJobEntity>(pageSize + 1);
        var cursor = after;
        // Reach is applied over the rows read; an application holds at most MaxScheduledJobs, which bounds the loop.
        while (found.Count <= pageSize)
        {
            var window = Scoped(db, applicationId).AsNoTracking();
            if (cursor is not null)
            {
                window = window.Where(s => string.Compare(s.Id, cursor) > 0);
            }

            var rows = await window.OrderBy(s => s.Id).Take(MaxPageSize).ToListAsync(cancellationToken);
            found.AddRange(rows.Where(r => reach.Reaches(DefinitionJson.ReadIds(r.Organizations))));
            if (rows.Count < MaxPageSize)
            {
                break;
            }

            cursor = rows[^1].Id;
        }

        var page = found.Take(pageSize).ToList();
        return new ScheduledJobPage(page.Select(ToModel).ToList(), found.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>The scheduled job as a caller with <paramref name="reach"/> sees it: one outside its reach is not found.</summary>
    public async Task<Outcome<ScheduledJob>> GetAsync(string applicationId, string scheduledJobId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(s => s.Id == scheduledJobId, cancellationToken);
        return entity is not null && reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)) ? ToModel(entity) : NotFound(scheduledJobId);
    }

    /// <summary>
    /// Creates the scheduled job or replaces it (IoT Central's <c>ScheduledJobs_Create</c>, a PUT). Replacing one whose
    /// run is pending or running is refused, as an update is.
    /// </summary>
    public async Task<Outcome<ScheduledJob>> CreateOrReplaceAsync(
        string applicationId, string scheduledJobId, ScheduledJobWrite write, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(reach);
        if (!JobLimits.IsValidId(scheduledJobId))
        {
            return Problem.Invalid($"Scheduled job id '{scheduledJobId}' is not valid: use 1 to {JobLimits.MaxIdLength} letters, digits, '-' or '_'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(s => s.Id == scheduledJobId, cancellationToken);
        if (entity is not null && !reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)))
        {
            return NotFound(scheduledJobId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity?.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        if (await CheckAsync(applicationId, write, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        var created = entity is null;
        if (entity is null)
        {
            if (await Scoped(db, applicationId).CountAsync(cancellationToken) >= MaxScheduledJobs)
            {
                return new Problem(ProblemKind.LimitReached, "LimitReached", $"An application holds at most {MaxScheduledJobs} scheduled jobs.");
            }

            entity = new ScheduledJobEntity { ApplicationId = applicationId, Id = scheduledJobId, Definition = "", Schedule = "", ETag = "", CreatedAt = time.GetUtcNow() };
            db.ScheduledJobs.Add(entity);
        }
        else if (await HasActiveRunAsync(db, applicationId, scheduledJobId, cancellationToken))
        {
            return ActiveRun(scheduledJobId);
        }

        return await WriteAsync(db, entity, write, reach, created, cancellationToken);
    }

    /// <summary>
    /// Changes some of the scheduled job's fields (IoT Central's <c>ScheduledJobs_Update</c>, a merge PATCH):
    /// <paramref name="patch"/> reads the caller's wire form over the current fields; the result meets the rules of a
    /// create. IoT Central: "update is not allowed if there are any active running job instances" (409).
    /// </summary>
    public async Task<Outcome<ScheduledJob>> UpdateAsync(
        string applicationId, string scheduledJobId, Func<ScheduledJobWrite, Outcome<ScheduledJobWrite>> patch, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(s => s.Id == scheduledJobId, cancellationToken);
        if (entity is null || !reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)))
        {
            return NotFound(scheduledJobId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        if (await HasActiveRunAsync(db, applicationId, scheduledJobId, cancellationToken))
        {
            return ActiveRun(scheduledJobId);
        }

        var patched = patch(ToWrite(entity));
        if (!patched.Succeeded)
        {
            return patched.Problem;
        }

        return await CheckAsync(applicationId, patched.Value, reach, cancellationToken)
            ?? await WriteAsync(db, entity, patched.Value, reach, created: false, cancellationToken);
    }

    /// <summary>
    /// Deletes the scheduled job (IoT Central's <c>ScheduledJobs_Remove</c>): no further run starts. Its jobs stay, each
    /// a job in its own right: one still running goes on to its end (and can be stopped through the jobs operations).
    /// </summary>
    public async Task<Outcome<ScheduledJob>> DeleteAsync(string applicationId, string scheduledJobId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(s => s.Id == scheduledJobId, cancellationToken);
        if (entity is null || !reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)))
        {
            return NotFound(scheduledJobId);
        }

        // Deleted only as read: one replaced (or run) meanwhile is not deleted on the strength of the old read.
        if (await Scoped(db, applicationId).Where(s => s.Id == scheduledJobId && s.ETag == entity.ETag).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return Problem.Conflict(ConflictMessage);
        }

        ScheduleLog.Deleted(logger, applicationId, scheduledJobId);
        signals.Wake();
        return ToModel(entity);
    }

    /// <summary>The jobs the scheduled job started, newest first (IoT Central's <c>ScheduledJobs_ListJobs</c>), as the jobs list pages them.</summary>
    public async Task<Outcome<JobPage>> JobsAsync(
        string applicationId, string scheduledJobId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var visible = await GetAsync(applicationId, scheduledJobId, reach, cancellationToken);
        return visible.Succeeded ? await jobs.ListAsync(applicationId, scheduledJobId, after, pageSize, reach, cancellationToken) : visible.Problem;
    }

    /// <summary>The rules of a schedule on its own (IoT Central's <c>JobSchedule</c> and <c>JobScheduleEnd</c>).</summary>
    public static Problem? CheckSchedule(JobSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.EndDate is not null && schedule.EndOccurrences is not null)
        {
            return Problem.Invalid("schedule.end is either a date or a number of occurrences, not both.");
        }

        // A one-off schedule runs once: an end would mean nothing, and is refused rather than silently ignored.
        if (schedule.Recurrence is null && (schedule.EndDate is not null || schedule.EndOccurrences is not null))
        {
            return Problem.Invalid("A one-off schedule (no recurrence) takes no end.");
        }

        if (schedule.EndOccurrences is < 1 or > MaxOccurrences)
        {
            return Problem.Invalid($"schedule.end.occurrences must be between 1 and {MaxOccurrences}.");
        }

        if (schedule.EndDate is { } end && end < DateOnly.FromDateTime(schedule.Start.UtcDateTime))
        {
            return Problem.Invalid("schedule.end.date is before schedule.start (dates are UTC).");
        }

        return null;
    }

    /// <summary>The id of run <paramref name="occurrence"/> of a schedule: a name-based UUID (RFC 9562 §5.8 and its Appendix B.2: version 8 over SHA-256), so a run interrupted between its claim and its creation is made again under the same id.</summary>
    internal static string RunJobId(string applicationId, string scheduledJobId, DateTimeOffset scheduleCreated, int occurrence)
    {
        // The schedule's creation time is part of the name: a schedule deleted and made again under its id does not
        // collide with the runs its predecessor left.
        var name = System.Text.Encoding.UTF8.GetBytes($"{applicationId}\n{scheduledJobId}\n{scheduleCreated.UtcTicks}\n{occurrence}");
        var input = new byte[RunNamespace.Length + name.Length];
        RunNamespace.CopyTo(input, 0);
        name.CopyTo(input, RunNamespace.Length);
        var hash = SHA256.HashData(input);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>A fixed namespace (a random UUID chosen once) for the names of scheduled runs.</summary>
    private static readonly byte[] RunNamespace = Guid.Parse("6f1d2c38-5b8e-4c1a-9a57-3e0f4b7d2a91").ToByteArray(bigEndian: true);

    internal static ScheduledJob ToModel(ScheduledJobEntity e) =>
        new(
            e.Id,
            DefinitionJson.ReadDefinition(e.Definition),
            DefinitionJson.ReadSchedule(e.Schedule),
            e.Enabled,
            e.Completed,
            e.Occurrences,
            e.NextRunTicks is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
            e.ETag);

    internal static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));

    private async Task<Problem?> CheckAsync(string applicationId, ScheduledJobWrite write, OrganizationReach reach, CancellationToken cancellationToken) =>
        CheckSchedule(write.Schedule) ?? await jobs.CheckAsync(applicationId, write.Definition, reach, cancellationToken);

    private async Task<Outcome<ScheduledJob>> WriteAsync(
        CentrumDbContext db, ScheduledJobEntity entity, ScheduledJobWrite write, OrganizationReach reach, bool created, CancellationToken cancellationToken)
    {
        var before = created ? null : DefinitionJson.ReadSchedule(entity.Schedule);
        var enabledAgain = !created && !entity.Enabled && write.Enabled;
        var definition = write.Definition;
        entity.Definition = DefinitionJson.Write(definition);
        entity.DisplayName = definition.DisplayName;
        entity.Description = definition.Description;
        entity.GroupId = definition.Group;
        entity.Organizations = DefinitionJson.Write(definition.Organizations ?? []);
        // The last writer's reach: whoever wrote the definition answers for what its runs may touch.
        entity.Reach = DefinitionJson.Write(reach.Organizations);
        entity.Schedule = DefinitionJson.Write(write.Schedule);
        entity.Enabled = write.Enabled;
        if (created || before != write.Schedule || enabledAgain)
        {
            // Occurrences before now were never due under this schedule (or fell while it was disabled): not caught up.
            var next = write.Schedule.Recurrence is null
                ? entity.Occurrences == 0 ? write.Schedule.Start : null
                : ScheduleArithmetic.FirstAtOrAfter(write.Schedule, time.GetUtcNow());
            entity.Completed = ScheduleArithmetic.IsEnded(write.Schedule, entity.Occurrences, next);
            entity.NextRunTicks = entity.Completed ? null : next!.Value.UtcTicks;
        }

        entity.ETag = NewETag();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The etag changed under us (a caller, or the scheduler claiming a run), or two creates of one id at once.
            return Problem.Conflict(ConflictMessage);
        }

        var model = ToModel(entity);
        ScheduleLog.Written(logger, entity.ApplicationId, entity.Id, entity.Enabled, model.NextRun);
        signals.Wake();
        return model;
    }

    private static Task<bool> HasActiveRunAsync(CentrumDbContext db, string applicationId, string scheduledJobId, CancellationToken cancellationToken) =>
        db.Jobs.AnyAsync(j => j.ApplicationId == applicationId && j.ScheduledJobId == scheduledJobId && ActiveStatuses.Contains(j.Status), cancellationToken);

    private static Problem ActiveRun(string scheduledJobId) =>
        Problem.Conflict($"Scheduled job '{scheduledJobId}' has a run pending or running; stop it or let it end before changing the schedule.");

    private static ScheduledJobWrite ToWrite(ScheduledJobEntity e) =>
        new(DefinitionJson.ReadDefinition(e.Definition), DefinitionJson.ReadSchedule(e.Schedule), e.Enabled);

    private static IQueryable<ScheduledJobEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.ScheduledJobs.Where(s => s.ApplicationId == applicationId);

    private static Problem NotFound(string scheduledJobId) => Problem.NotFound($"Scheduled job '{scheduledJobId}' was not found.");
}
