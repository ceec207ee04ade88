using System.Globalization;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Jobs.Execution;
using Centrum.Jobs.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs;

/// <summary>
/// The one way in to jobs, and the owner of their rules (IoT Central REST API 2022-07-31, the Jobs operations): a
/// valid id, a group the caller reaches or an explicit list of devices it reaches, data entries of one kind that the
/// target template declares with values that fit, batches and thresholds within range, organizations within reach.
/// A job is stored pending and admitted to run when its application has a free slot; the runner
/// (the job runner) does the rest. Stop, resume and re-run are status changes the runner follows.
/// </summary>
public sealed class JobService(
    IDbContextFactory<CentrumDbContext> contexts,
    DeviceGroupService groups,
    DeviceRegistry devices,
    DeviceTemplateService templates,
    DeploymentManifests manifests,
    IOrganizationCatalog organizations,
    JobAdmission admission,
    JobSignals signals,
    TimeProvider time,
    ILogger<JobService> logger)
{
    /// <summary>IoT Central's <c>maxpagesize</c> range (REST API 2022-10-31-preview: 1–100).</summary>
    public const int MaxPageSize = 100;

    /// <summary>
    /// Job rows one list request reads at most while applying the caller's reach: ten of the largest pages. A caller
    /// who reaches few of many jobs gets a short (even empty) page with where to continue, never a scan of the history.
    /// </summary>
    public const int ListScanBudget = 1000;

    private const string OutsideReachMessage = "The job must belong to organizations within your reach.";

    private static readonly string PendingName = JobStates.Name(JobStatus.Pending);
    private static readonly string RunningName = JobStates.Name(JobStatus.Running);
    private static readonly string StoppedName = JobStates.Name(JobStatus.Stopped);
    private static readonly string FailedDevice = JobStates.Name(JobDeviceState.Failed);

    /// <summary>
    /// Creates a job and lets it run at once if its application has a free slot (IoT Central's <c>Jobs_Create</c>).
    /// The job remembers the caller's reach: whenever it runs, it acts only on devices within it.
    /// </summary>
    public Task<Outcome<Job>> CreateAsync(string applicationId, string jobId, JobDefinition definition, OrganizationReach reach, CancellationToken cancellationToken) =>
        CreateAsync(applicationId, jobId, definition, reach, scheduledJobId: null, cancellationToken);

    /// <summary>Creates a job started by a schedule; the schedule's stored reach stands for its creator's.</summary>
    internal async Task<Outcome<Job>> CreateAsync(
        string applicationId, string jobId, JobDefinition definition, OrganizationReach reach, string? scheduledJobId, CancellationToken cancellationToken)
    {
        if (!JobLimits.IsValidId(jobId))
        {
            return Problem.Invalid($"Job id '{jobId}' is not valid: use 1 to {JobLimits.MaxIdLength} letters, digits, '-' or '_'.");
        }

        if (await CheckAsync(applicationId, definition, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        var entity = NewEntity(applicationId, jobId, definition, reach, scheduledJobId, time.GetUtcNow());
        return await InsertAsync(applicationId, entity, definition, cancellationToken);
    }

    /// <summary>
    /// Records a run a schedule could not start (its group deleted, its definition no longer valid) as a failed job with
    /// the reason, so the schedule's jobs show it and the scheduler does not try that run again after a restart.
    /// </summary>
    internal async Task<Outcome<Job>> RecordFailedRunAsync(
        string applicationId, string jobId, JobDefinition definition, OrganizationReach reach, string scheduledJobId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entity = NewEntity(applicationId, jobId, definition, reach, scheduledJobId, now);
        entity.Status = JobStates.Name(JobStatus.Failed);
        entity.StatusReason = reason;
        entity.End = now;
        entity.TargetsReady = true;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Jobs.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Problem.Conflict($"A job with id '{jobId}' already exists.");
        }

        return ToModel(entity);
    }

    /// <summary>A new job's row, pending, with the definition and the reach it acts within.</summary>
    private static JobEntity NewEntity(string applicationId, string jobId, JobDefinition definition, OrganizationReach reach, string? scheduledJobId, DateTimeOffset now) => new()
    {
        ApplicationId = applicationId,
        Id = jobId,
        ScheduledJobId = scheduledJobId,
        DisplayName = definition.DisplayName,
        Description = definition.Description,
        GroupId = definition.Group,
        Definition = DefinitionJson.Write(definition),
        Organizations = DefinitionJson.Write(definition.Organizations ?? []),
        Reach = DefinitionJson.Write(reach.Organizations),
        Status = PendingName,
        CreatedAt = now,
        CreatedTicks = now.UtcTicks,
        Revision = 1,
    };

    /// <summary>
    /// Checks a definition against the rules every job meets, whoever makes it (REST, a schedule, the web application).
    /// Also used by the scheduled-job service before it stores a definition.
    /// </summary>
    public async Task<Problem?> CheckAsync(string applicationId, JobDefinition definition, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(reach);
        return CheckShape(definition)
            ?? await CheckOrganizationsAsync(applicationId, definition.Organizations ?? [], reach, cancellationToken)
            ?? await CheckTargetsAsync(applicationId, definition, reach, cancellationToken)
            ?? await CheckDataAsync(applicationId, definition.Data, reach, cancellationToken);
    }

    /// <summary>The job as a caller with <paramref name="reach"/> sees it: one outside its reach is not found, as one that does not exist.</summary>
    public async Task<Outcome<Job>> GetAsync(string applicationId, string jobId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.ApplicationId == applicationId && j.Id == jobId, cancellationToken);
        return entity is not null && reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)) ? ToModel(entity) : NotFound(jobId);
    }

    /// <summary>
    /// A page of the application's jobs the caller reaches, newest first; <paramref name="scheduledJobId"/> narrows it
    /// to the runs of one schedule. <paramref name="after"/> is the previous page's <see cref="JobPage.ContinueAfter"/>.
    /// </summary>
    public async Task<Outcome<JobPage>> ListAsync(
        string applicationId, string? scheduledJobId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        (long Ticks, string Id)? cursor = null;
        if (after is not null)
        {
            if (ParseCursor(after) is not { } parsed)
            {
                return Problem.Invalid("The continuation of the job list is not valid.");
            }

            cursor = parsed;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking().Where(j => j.ApplicationId == applicationId);
        if (scheduledJobId is not null)
        {
            query = query.Where(j => j.ScheduledJobId == scheduledJobId);
        }

        var found = new List<JobEntity>(pageSize + 1);
        var scanned = 0;
        JobEntity? last = null;
        // Reach is applied over the rows read: a caller reaching few of many jobs reads on until its page is full, but
        // at most ListScanBudget rows per request; a page cut short by the budget continues after the last row read.
        while (found.Count <= pageSize)
        {
            var window = query;
            if (cursor is { } c)
            {
                window = window.Where(j => j.CreatedTicks < c.Ticks || (j.CreatedTicks == c.Ticks && string.Compare(j.Id, c.Id) < 0));
            }

            var rows = await window.OrderByDescending(j => j.CreatedTicks).ThenByDescending(j => j.Id).Take(MaxPageSize).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                scanned++;
                last = row;
                if (reach.Reaches(DefinitionJson.ReadIds(row.Organizations)) && found.Count <= pageSize)
                {
                    found.Add(row);
                }

                if (found.Count > pageSize)
                {
                    break;
                }
            }

            if (rows.Count < MaxPageSize || found.Count > pageSize)
            {
                break;
            }

            cursor = (rows[^1].CreatedTicks, rows[^1].Id);
            if (scanned >= ListScanBudget)
            {
                return new JobPage(found.Select(ToModel).ToList(), FormatCursor(last!));
            }
        }

        var page = found.Take(pageSize).ToList();
        var next = found.Count > pageSize ? FormatCursor(page[^1]) : null;
        return new JobPage(page.Select(ToModel).ToList(), next);
    }

    /// <summary>
    /// A page of the job's targets and how each stands, in the order the job takes them; <paramref name="after"/> is
    /// the previous page's <see cref="JobDevicePage.ContinueAfter"/>.
    /// </summary>
    public async Task<Outcome<JobDevicePage>> DevicesAsync(
        string applicationId, string jobId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        var ordinal = -1;
        if (after is not null && !int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out ordinal))
        {
            return Problem.Invalid("The continuation of the job's device list is not valid.");
        }

        var job = await GetAsync(applicationId, jobId, reach, cancellationToken);
        if (!job.Succeeded)
        {
            return job.Problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.JobDevices.AsNoTracking()
            .Where(d => d.ApplicationId == applicationId && d.JobId == jobId && d.Ordinal > ordinal)
            .OrderBy(d => d.Ordinal).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize)
            .Select(d => new JobDeviceStatus(d.DeviceId, JobStates.ParseDeviceState(d.Status), d.Reason, d.Started, d.Ended)).ToList();
        var next = rows.Count > pageSize ? rows[pageSize - 1].Ordinal.ToString(CultureInfo.InvariantCulture) : null;
        return new JobDevicePage(page, next);
    }

    /// <summary>
    /// Stops a pending or running job (IoT Central's <c>Jobs_Stop</c>): no further device is started; devices in
    /// flight finish as they would. A job that already ended cannot be stopped.
    /// </summary>
    public async Task<Outcome<Job>> StopAsync(string applicationId, string jobId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var changed = await MoveAsync(applicationId, jobId, reach, [PendingName, RunningName], StoppedName, "Only a pending or running job can be stopped.", cancellationToken);
        if (changed.Succeeded)
        {
            Log.Stopped(logger, applicationId, jobId);
            signals.JobChanged(applicationId, jobId);
            await admission.AdmitAsync(applicationId, cancellationToken);
        }

        return changed;
    }

    /// <summary>Resumes a stopped job (IoT Central's <c>Jobs_Resume</c>): it waits for a running slot like a new one, and goes on where it stopped.</summary>
    public async Task<Outcome<Job>> ResumeAsync(string applicationId, string jobId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var changed = await MoveAsync(applicationId, jobId, reach, [StoppedName], PendingName, "Only a stopped job can be resumed.", cancellationToken);
        if (!changed.Succeeded)
        {
            return changed;
        }

        Log.Resumed(logger, applicationId, jobId);
        await admission.AdmitAsync(applicationId, cancellationToken);
        signals.JobChanged(applicationId, jobId);
        return await GetAsync(applicationId, jobId, reach, cancellationToken);
    }

    /// <summary>
    /// Starts job <paramref name="rerunId"/> with the definition of <paramref name="jobId"/> on that job's failed
    /// devices (IoT Central's <c>Jobs_Rerun</c>). The job must have ended or stopped, so its failures are known.
    /// </summary>
    public async Task<Outcome<Job>> RerunAsync(
        string applicationId, string jobId, string rerunId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!JobLimits.IsValidId(rerunId))
        {
            return Problem.Invalid($"Job id '{rerunId}' is not valid: use 1 to {JobLimits.MaxIdLength} letters, digits, '-' or '_'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var original = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.ApplicationId == applicationId && j.Id == jobId, cancellationToken);
        if (original is null || !reach.Reaches(DefinitionJson.ReadIds(original.Organizations)))
        {
            return NotFound(jobId);
        }

        if (JobStates.ParseStatus(original.Status) is JobStatus.Pending or JobStatus.Running)
        {
            return Problem.Conflict($"Job '{jobId}' is still running; stop it or let it end before re-running its failed devices.");
        }

        if (!await db.JobDevices.AnyAsync(d => d.ApplicationId == applicationId && d.JobId == jobId && d.Status == FailedDevice, cancellationToken))
        {
            return Problem.Invalid($"Job '{jobId}' has no failed devices to run again.");
        }

        var definition = DefinitionJson.ReadDefinition(original.Definition);
        // The re-run acts within both reaches: the original creator's (kept with the job) and the caller's.
        var narrowed = Narrow(StoredReach(original.Reach), reach.Organizations);
        var now = time.GetUtcNow();
        var entity = new JobEntity
        {
            ApplicationId = applicationId,
            Id = rerunId,
            RerunOf = jobId,
            ScheduledJobId = original.ScheduledJobId,
            DisplayName = original.DisplayName,
            Description = original.Description,
            GroupId = original.GroupId,
            Definition = original.Definition,
            Organizations = original.Organizations,
            Reach = DefinitionJson.Write(narrowed),
            Status = PendingName,
            CreatedAt = now,
            CreatedTicks = now.UtcTicks,
            Revision = 1,
        };
        var created = await InsertAsync(applicationId, entity, definition, cancellationToken);
        if (created.Succeeded)
        {
            Log.Rerun(logger, applicationId, rerunId, jobId);
        }

        return created;
    }

    private async Task<Outcome<Job>> InsertAsync(string applicationId, JobEntity entity, JobDefinition definition, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Jobs.AnyAsync(j => j.ApplicationId == applicationId && j.Id == entity.Id, cancellationToken))
            {
                return Problem.Conflict($"A job with id '{entity.Id}' already exists; a job is started once, choose another id.");
            }

            db.Jobs.Add(entity);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Two creates of one id at once: the loser finds the key taken.
                return Problem.Conflict($"A job with id '{entity.Id}' already exists; a job is started once, choose another id.");
            }
        }

        await admission.AdmitAsync(applicationId, cancellationToken);
        signals.Wake();
        await using var read = await contexts.CreateDbContextAsync(cancellationToken);
        var stored = await read.Jobs.AsNoTracking().FirstAsync(j => j.ApplicationId == applicationId && j.Id == entity.Id, cancellationToken);
        Log.Created(logger, applicationId, entity.Id, definition.Data[0].Kind, JobStates.ParseStatus(stored.Status));
        return ToModel(stored);
    }

    private async Task<Outcome<Job>> MoveAsync(
        string applicationId, string jobId, OrganizationReach reach, string[] from, string to, string refusal, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Jobs.FirstOrDefaultAsync(j => j.ApplicationId == applicationId && j.Id == jobId, cancellationToken);
        if (entity is null || !reach.Reaches(DefinitionJson.ReadIds(entity.Organizations)))
        {
            return NotFound(jobId);
        }

        if (!from.Contains(entity.Status))
        {
            return Problem.Conflict($"Job '{jobId}' is {entity.Status}. {refusal}");
        }

        entity.Status = to;
        entity.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict($"Job '{jobId}' changed meanwhile; read it again and retry.");
        }

        return ToModel(entity);
    }

    /// <summary>The rules of the definition itself, before anything is looked up.</summary>
    private static Problem? CheckShape(JobDefinition definition)
    {
        if (definition.DisplayName?.Length > JobLimits.MaxTextLength || definition.Description?.Length > JobLimits.MaxTextLength)
        {
            return Problem.Invalid($"displayName and description take at most {JobLimits.MaxTextLength} characters.");
        }

        if ((definition.Group is null) == (definition.Devices is null))
        {
            return Problem.Invalid("A job targets either a device group (group) or a list of devices (devices), one of the two.");
        }

        if (definition.Devices is { } list)
        {
            if (list.Count is 0 or > JobLimits.MaxExplicitDevices)
            {
                return Problem.Invalid($"devices lists 1 to {JobLimits.MaxExplicitDevices} device ids.");
            }

            if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
            {
                return Problem.Invalid("devices: a device is listed twice.");
            }
        }

        if (definition.Data is null || definition.Data.Count is 0 or > JobLimits.MaxDataEntries)
        {
            return Problem.Invalid($"data holds 1 to {JobLimits.MaxDataEntries} entries.");
        }

        // IoT Central's jobs do one kind of thing each (the job editor's "Job type"; for scheduled jobs the REST API
        // says so of data[]): a command job does not also write properties.
        if (definition.Data.Select(d => d.Kind).Distinct().Count() > 1)
        {
            return Problem.Invalid("data entries must all be of one type.");
        }

        if (definition.Data[0].Kind is JobDataKind.DeviceTemplateMigration or JobDataKind.DeviceManifestMigration && definition.Data.Count > 1)
        {
            return Problem.Invalid("A migration job has one data entry.");
        }

        return CheckAmount("batch", definition.Batch?.Kind, definition.Batch?.Value)
            ?? CheckAmount("cancellationThreshold", definition.CancellationThreshold?.Kind, definition.CancellationThreshold?.Value)
            ?? CheckPacing(definition);
    }

    private static Problem? CheckAmount(string name, JobAmountKind? kind, double? value) => (kind, value) switch
    {
        (null, _) => null,
        (JobAmountKind.Number, { } n) when n < 1 || n != Math.Floor(n) || n > int.MaxValue => Problem.Invalid($"{name}: a number of devices is a whole number of at least 1."),
        (JobAmountKind.Percentage, { } p) when p is <= 0 or > 100 || double.IsNaN(p) => Problem.Invalid($"{name}: a percentage is more than 0 and at most 100."),
        _ => null,
    };

    private static Problem? CheckPacing(JobDefinition definition)
    {
        if (definition.ConnectionTimeout is { } timeout && (timeout < TimeSpan.Zero || timeout > JobLimits.MaxConnectionTimeout))
        {
            return Problem.Invalid($"connectionTimeout must be between 0 and {JobLimits.MaxConnectionTimeout.TotalSeconds} seconds.");
        }

        if (definition.Rollout is { } rollout)
        {
            if (rollout.DevicesPerMinute is < 1 or > JobLimits.MaxDevicesPerMinute)
            {
                return Problem.Invalid($"rollout.devicesPerMinute must be between 1 and {JobLimits.MaxDevicesPerMinute}.");
            }

            if (rollout.IncrementFactor is { } factor && (factor <= 1 || factor > JobLimits.MaxIncrementFactor || double.IsNaN(factor)))
            {
                return Problem.Invalid($"rollout.incrementFactor must be more than 1 and at most {JobLimits.MaxIncrementFactor}.");
            }

            if ((rollout.IncrementFactor is null) != (rollout.SuccessesPerIncrement is null) || rollout.SuccessesPerIncrement is < 1)
            {
                return Problem.Invalid("rollout.incrementFactor and rollout.successesPerIncrement (at least 1) go together.");
            }

            if (rollout.MaximumPerMinute is { } maximum && (maximum < rollout.DevicesPerMinute || maximum > JobLimits.MaxDevicesPerMinute))
            {
                return Problem.Invalid("rollout.maximumPerMinute is at least rollout.devicesPerMinute.");
            }
        }

        if (definition.Abort is { } abort && (abort.FailureRatePercent is <= 0 or > 100 || double.IsNaN(abort.FailureRatePercent) || abort.MinimumDevices < 1))
        {
            return Problem.Invalid("abort.failureRate is a percentage more than 0 and at most 100, and abort.minimumDevices at least 1.");
        }

        return null;
    }

    private async Task<Problem?> CheckOrganizationsAsync(string applicationId, IReadOnlyList<string> owners, OrganizationReach reach, CancellationToken cancellationToken)
    {
        // IoT Central: a job belongs to at most one organization (Job.organizations, maxItems 1).
        if (owners.Count > 1)
        {
            return Problem.Invalid("organizations: a job belongs to one organization at most.");
        }

        if (!reach.MayPlaceIn(owners))
        {
            return Problem.Forbidden(OutsideReachMessage);
        }

        if (owners.Count > 0 && (await organizations.UnknownAsync(applicationId, owners, cancellationToken)).Count > 0)
        {
            return Problem.Invalid($"organizations: the organization '{owners[0]}' does not exist.");
        }

        return null;
    }

    /// <summary>
    /// The group must be one the caller sees; every listed device must exist within the caller's reach. An unreachable
    /// device is answered as one that does not exist, so a caller learns nothing of devices beyond its reach.
    /// </summary>
    private async Task<Problem?> CheckTargetsAsync(string applicationId, JobDefinition definition, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (definition.Group is { } groupId)
        {
            var group = await groups.GetAsync(applicationId, groupId, reach, cancellationToken);
            return group.Succeeded ? null : Problem.Invalid($"group: device group '{groupId}' was not found.");
        }

        foreach (var deviceId in definition.Devices!)
        {
            if (!(await devices.FindAsync(applicationId, deviceId, reach, cancellationToken)).Succeeded)
            {
                return Problem.Invalid($"devices: device '{deviceId}' was not found.");
            }
        }

        return null;
    }

    /// <summary>Each entry names a template that exists and a capability it declares, with a value that fits.</summary>
    private async Task<Problem?> CheckDataAsync(string applicationId, IReadOnlyList<JobData> data, OrganizationReach reach, CancellationToken cancellationToken)
    {
        for (var i = 0; i < data.Count; i++)
        {
            var entry = data[i];
            var where = $"data[{i}]";
            if (entry.Kind is JobDataKind.DeviceManifestMigration)
            {
                if (string.IsNullOrEmpty(entry.Manifest))
                {
                    return Problem.Invalid($"{where}.manifest is required.");
                }

                // A manifest outside the caller's organizations is not found, as REST answers it.
                if (!(await manifests.GetAsync(applicationId, entry.Manifest, reach, cancellationToken)).Succeeded)
                {
                    return Problem.Invalid($"{where}.manifest: deployment manifest '{entry.Manifest}' does not exist.");
                }

                continue;
            }

            if (entry.Kind is JobDataKind.DeviceTemplateMigration)
            {
                if (string.IsNullOrEmpty(entry.Template))
                {
                    return Problem.Invalid($"{where}.template is required.");
                }

                if (!await templates.ExistsAsync(applicationId, entry.Template, cancellationToken))
                {
                    return Problem.Invalid($"{where}.template: device template '{entry.Template}' does not exist.");
                }

                continue;
            }

            if (string.IsNullOrEmpty(entry.Target) || string.IsNullOrEmpty(entry.Path))
            {
                return Problem.Invalid($"{where}: target (a device template id) and path (a capability name, or component.name) are required.");
            }

            var template = await templates.GetAsync(applicationId, entry.Target, cancellationToken);
            if (template is null)
            {
                return Problem.Invalid($"{where}.target: device template '{entry.Target}' does not exist.");
            }

            var (component, name) = SplitPath(entry.Path);
            var problem = entry.Kind switch
            {
                JobDataKind.Command => DeviceModels.CheckCommand(template, component, name, entry.Value),
                _ when entry.Value is null => Problem.Invalid($"{where}.value is required for a property."),
                JobDataKind.Property when DeviceModels.Property(template.Model, component, name) is { } p && DeviceModels.IsCloud(p) =>
                    Problem.Invalid($"{where}: '{entry.Path}' is a cloud property; use the type cloudProperty."),
                JobDataKind.CloudProperty when DeviceModels.Property(template.Model, component, name) is not { } p || !DeviceModels.IsCloud(p) =>
                    Problem.Invalid($"{where}: '{entry.Path}' is not a cloud property of device template '{entry.Target}'."),
                _ => DeviceModels.CheckWrites(template, component, new JsonObject { [name] = entry.Value!.DeepClone() }),
            };
            if (problem is not null)
            {
                return Problem.Invalid($"{where}: {problem.Message}");
            }
        }

        return null;
    }

    /// <summary>IoT Central's capability path: <c>name</c> at the root of the template, or <c>component.name</c>.</summary>
    public static (string? Component, string Name) SplitPath(string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (null, path) : (path[..dot], path[(dot + 1)..]);
    }

    /// <summary>The organizations both reaches hold; null stands for the whole application.</summary>
    internal static IReadOnlySet<string>? Narrow(IReadOnlySet<string>? first, IReadOnlySet<string>? second) =>
        first is null ? second : second is null ? first : first.Intersect(second, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

    /// <summary>A reach kept with a job or a schedule: null is the whole application.</summary>
    internal static IReadOnlySet<string>? StoredReach(string? stored) =>
        stored is null ? null : DefinitionJson.ReadIds(stored).ToHashSet(StringComparer.Ordinal);

    internal static Job ToModel(JobEntity e) =>
        new(
            e.Id,
            DefinitionJson.ReadDefinition(e.Definition),
            JobStates.ParseStatus(e.Status),
            new JobProgress(e.Total, Math.Max(0, e.Total - e.Completed - e.Failed), e.Completed, e.Failed),
            e.CreatedAt,
            e.Start,
            e.End,
            e.ScheduledJobId,
            e.RerunOf,
            e.StatusReason);

    private static string FormatCursor(JobEntity e) => e.CreatedTicks.ToString(CultureInfo.InvariantCulture) + ":" + e.Id;

    private static (long Ticks, string Id)? ParseCursor(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && JobLimits.IsValidId(text[(colon + 1)..])
            ? (ticks, text[(colon + 1)..])
            : null;
    }

    private static Problem NotFound(string jobId) => Problem.NotFound($"Job '{jobId}' was not found.");
}
