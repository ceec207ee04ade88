using Centrum.Audit;
using Centrum.Jobs.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Scheduling;

/// <summary>
/// Starts the runs of scheduled jobs on the injected <see cref="TimeProvider"/>. It sleeps until the earliest next run
/// of an enabled schedule that has not ended (at most <see cref="MaxSleep"/>, and less when a schedule is written),
/// then for each due schedule starts one job, exactly once:
/// <list type="number">
/// <item>it claims the run first (its number, the next run or the end, a new etag) in one write that fails if the
/// schedule changed meanwhile, so two passes or two nodes never claim the same run;</item>
/// <item>it then creates the job through <see cref="JobService"/> under an id derived from the schedule and the run's
/// number. A crash between the two leaves a claimed run without its job; the next start of the scheduler finds it and
/// creates it under the same id (a job that exists already is not made twice).</item>
/// </list>
/// Runs missed while the server was down are not all made up: one run starts for the latest missed occurrence, and
/// the next run is the first occurrence after now. A run that cannot be created (its group deleted, its definition no
/// longer valid) is recorded as a failed job with the reason, logged and audited, and the schedule moves on.
/// </summary>
public sealed class JobScheduler(
    IDbContextFactory<CentrumDbContext> contexts,
    JobService jobs,
    ScheduleSignals signals,
    IAuditTrail audit,
    TimeProvider time,
    ILogger<JobScheduler> logger) : BackgroundService
{
    /// <summary>
    /// The longest the scheduler sleeps without looking at the schedules: a bound on how late a run written by another
    /// node (whose wake this node does not hear) or made due by a clock change starts.
    /// </summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    /// <summary>Runs started in one pass; more due schedules are taken by the next pass, at once.</summary>
    public const int MaxRunsPerPass = 100;

    /// <summary>Ids looked up at once when checking that every claimed run has its job (bounded SQL parameter lists).</summary>
    private const int RepairChunk = 200;

    /// <summary>The actor of the audit entries of scheduled runs: the platform, on behalf of the schedule.</summary>
    public const string ActorType = "system";

    private long _lastPassTicks = long.MinValue;

    /// <summary>The clock's time when the last pass began, after the pass ended: a test waits for it to reach the time it moved the clock to.</summary>
    internal DateTimeOffset? LastPass => Interlocked.Read(ref _lastPassTicks) is var ticks && ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var repair = true;
        Task? wake = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            DateTimeOffset deadline;
            try
            {
                if (repair)
                {
                    await RepairAsync(stoppingToken);
                    repair = false;
                }

                deadline = await PassAsync(now, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                ScheduleLog.PassFailed(logger, ex);
                // A run may have been claimed without its job: look for it on the next pass.
                repair = true;
                deadline = now + MaxSleep;
            }

            Interlocked.Exchange(ref _lastPassTicks, now.UtcTicks);
            wake ??= signals.WaitAsync(stoppingToken);
            // The deadline is absolute: a clock moved on while this pass ran makes the wait short or none.
            var delay = deadline - time.GetUtcNow();
            if (delay <= TimeSpan.Zero)
            {
                continue;
            }

            using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var sleep = Task.Delay(delay, time, sleeping.Token);
            // A timer counts from when it is made: a clock that moved past the deadline between the reading above and
            // the timer's creation (a test's clock jumping a day) would leave it waiting a whole further delay.
            if (time.GetUtcNow() >= deadline)
            {
                await sleeping.CancelAsync();
                continue;
            }

            var first = await Task.WhenAny(wake, sleep);
            await sleeping.CancelAsync();
            if (first == wake)
            {
                wake = null;
                await first;
            }
        }
    }

    /// <summary>Starts the due runs; answers when to look again.</summary>
    internal async Task<DateTimeOffset> PassAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<ScheduledJobEntity> due;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            due = await Runnable(db).Where(s => s.NextRunTicks <= now.UtcTicks)
                .OrderBy(s => s.NextRunTicks).Take(MaxRunsPerPass).AsNoTracking().ToListAsync(cancellationToken);
        }

        foreach (var schedule in due)
        {
            if (await ClaimAsync(schedule, now, cancellationToken) is { } claimed)
            {
                await StartRunAsync(claimed, claimed.Occurrences, repairing: false, cancellationToken);
            }
        }

        if (due.Count == MaxRunsPerPass)
        {
            return now;
        }

        await using var read = await contexts.CreateDbContextAsync(cancellationToken);
        var next = await Runnable(read).MinAsync(s => s.NextRunTicks, cancellationToken);
        var latest = now + MaxSleep;
        return next is { } ticks && ticks < latest.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : latest;
    }

    /// <summary>
    /// Claims the next run of a due schedule: its number, the next run after now (or the end), a new etag, written only
    /// if the schedule is still as read. Null when it changed meanwhile (edited, disabled, deleted, or claimed elsewhere).
    /// </summary>
    internal async Task<ScheduledJobEntity?> ClaimAsync(ScheduledJobEntity read, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ScheduledJobs.Attach(read);
        var schedule = DefinitionJson.ReadSchedule(read.Schedule);
        var next = schedule.Recurrence is null ? null : ScheduleArithmetic.NextAfter(schedule, now);
        read.Occurrences++;
        read.Completed = ScheduleArithmetic.IsEnded(schedule, read.Occurrences, next);
        read.NextRunTicks = read.Completed ? null : next!.Value.UtcTicks;
        read.ETag = ScheduledJobService.NewETag();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }

        if (read.Completed)
        {
            ScheduleLog.Ended(logger, read.ApplicationId, read.Id, read.Occurrences);
        }

        return read;
    }

    /// <summary>Creates the job of run <paramref name="occurrence"/>; one that exists already (a repeated attempt) is left as it is.</summary>
    internal async Task StartRunAsync(ScheduledJobEntity schedule, int occurrence, bool repairing, CancellationToken cancellationToken)
    {
        var app = schedule.ApplicationId;
        var definition = DefinitionJson.ReadDefinition(schedule.Definition);
        var jobId = ScheduledJobService.RunJobId(app, schedule.Id, schedule.CreatedAt, occurrence);
        var run = definition with { DisplayName = RunDisplayName(definition.DisplayName ?? schedule.Id, occurrence) };
        var reach = OrganizationReach.From(JobService.StoredReach(schedule.Reach));
        var created = await jobs.CreateAsync(app, jobId, run, reach, schedule.Id, cancellationToken);
        if (created.Succeeded)
        {
            if (repairing)
            {
                ScheduleLog.Repaired(logger, app, schedule.Id, occurrence, jobId);
            }
            else
            {
                ScheduleLog.Started(logger, app, schedule.Id, occurrence, jobId);
            }

            await AuditAsync(schedule, jobId, run.DisplayName, 200, cancellationToken);
            return;
        }

        if (created.Problem.Kind == ProblemKind.Conflict)
        {
            // Made by an earlier attempt: a run is started once.
            return;
        }

        ScheduleLog.Refused(logger, app, schedule.Id, occurrence, jobId, created.Problem.Message);
        await jobs.RecordFailedRunAsync(app, jobId, run, reach, schedule.Id, created.Problem.Message, cancellationToken);
        await AuditAsync(schedule, jobId, run.DisplayName, Status(created.Problem.Kind), cancellationToken);
    }

    /// <summary>
    /// Every schedule's last claimed run has its job: one claimed before a crash (or a failed pass) and never created
    /// is created now, under its id.
    /// </summary>
    internal async Task RepairAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var claimed = await db.ScheduledJobs.AsNoTracking().Where(s => s.Occurrences > 0).ToListAsync(cancellationToken);
        foreach (var chunk in claimed.Chunk(RepairChunk))
        {
            var wanted = chunk.Select(s => (Schedule: s, JobId: ScheduledJobService.RunJobId(s.ApplicationId, s.Id, s.CreatedAt, s.Occurrences))).ToList();
            var ids = wanted.Select(w => w.JobId).ToList();
            var existing = (await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).Select(j => new { j.ApplicationId, j.Id }).ToListAsync(cancellationToken))
                .Select(j => (j.ApplicationId, j.Id)).ToHashSet();
            foreach (var (schedule, jobId) in wanted.Where(w => !existing.Contains((w.Schedule.ApplicationId, w.JobId))))
            {
                await StartRunAsync(schedule, schedule.Occurrences, repairing: true, cancellationToken);
            }
        }
    }

    /// <summary>IoT Central names a schedule's runs "{displayName} - {n}" (its <c>scheduledjobs_list_jobs</c> example); the name is cut to fit a job's.</summary>
    internal static string RunDisplayName(string displayName, int occurrence)
    {
        var suffix = $" - {occurrence}";
        var room = JobLimits.MaxTextLength - suffix.Length;
        return (displayName.Length > room ? displayName[..room] : displayName) + suffix;
    }

    private static IQueryable<ScheduledJobEntity> Runnable(CentrumDbContext db) =>
        db.ScheduledJobs.Where(s => s.Enabled && !s.Completed && s.NextRunTicks != null);

    private async Task AuditAsync(ScheduledJobEntity schedule, string jobId, string? displayName, int outcome, CancellationToken cancellationToken)
    {
        try
        {
            await audit.RecordAsync(
                schedule.ApplicationId,
                new AuditTrailEntry("created", ActorType, $"scheduledJob:{schedule.Id}", "job", jobId, displayName, outcome, "SCHEDULE", $"/scheduledJobs/{schedule.Id}"),
                cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            ScheduleLog.AuditFailed(logger, ex, schedule.ApplicationId, jobId);
        }
    }

    private static int Status(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => 404,
        ProblemKind.Forbidden or ProblemKind.LimitReached => 403,
        ProblemKind.Conflict => 409,
        _ => 400,
    };
}
