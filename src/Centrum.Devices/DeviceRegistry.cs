using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices.Internal;
using Centrum.Events;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Centrum.Storage.Writing;
using Centrum.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices;

/// <summary>
/// The device registry: the one way in to device identities, and the owner of their rules (valid ids, an existing
/// template, existing organizations, the caller's organization reach, ETag preconditions, conflicting writes), so REST,
/// jobs and pages meet the same refusals as <see cref="Problem"/>s. Every call names its application, and every query
/// starts from <see cref="Scoped"/>, so one application's devices are never reachable from another's.
/// </summary>
public sealed class DeviceRegistry(
    IDbContextFactory<CentrumDbContext> contexts,
    ISecretProtector secrets,
    IDeviceConnections connections,
    ITemplateCatalog templates,
    IOrganizationCatalog organizations,
    MetadataWriter writer,
    TimeProvider time,
    ILogger<DeviceRegistry> logger,
    IEnumerable<IAreaData> areas)
{
    public const int MaxPageSize = 100;

    private readonly DeviceTurns _connectivityTurns = new();

    /// <summary>
    /// How many rows a narrowed list reads per round trip: a caller reaching few organizations would otherwise fetch
    /// pageSize + 1 rows again and again to fill one page.
    /// </summary>
    private const int NarrowedChunk = 200;

    /// <summary>
    /// Organizations a reach may hold for the database to narrow the list itself (one text match per organization);
    /// a reach over more is narrowed over the rows read, within <see cref="ListScanBudget"/>.
    /// </summary>
    private const int MaxPushedOrganizations = 64;

    /// <summary>
    /// Device rows one list request reads at most while applying a reach the database could not: a caller reaching
    /// few devices among many gets a short page with where to continue rather than a scan of the fleet.
    /// </summary>
    public const int ListScanBudget = 2000;

    /// <summary>
    /// Devices a count of the list counts exactly; beyond, the pager shows "more than". Counting reads one index entry
    /// per device, and 10,000 keeps that within a few milliseconds (docs/benchmarks.md, "Device list") while a
    /// person pages through at most a few hundred pages of it.
    /// </summary>
    public const int CountLimit = 10_000;

    private const string ConflictMessage = "The device was changed by another request; read it again and retry.";

    private const string OutsideReachMessage = "The device must belong to organizations within your reach.";

    private const string ETagMismatchMessage = "The device's etag does not match; read it again.";

    /// <summary>The device, whoever asks: for the platform's own callers (gateway, export), which act for the whole application.</summary>
    public async Task<Device?> GetAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var entity = await GetEntityAsync(applicationId, deviceId, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>The device as a caller with <paramref name="reach"/> sees it: one outside the reach is not found, as one that does not exist.</summary>
    public async Task<Outcome<Device>> FindAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var device = await GetAsync(applicationId, deviceId, cancellationToken);
        return device is not null && reach.Reaches(device.Organizations) ? device : NotFound(deviceId);
    }

    /// <summary>Keyset paging by id: stable under concurrent inserts and deletes, unlike offsets.</summary>
    public Task<DevicePage> ListAsync(string applicationId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken) =>
        ListAsync(applicationId, new ListRequest(null, null, after), pageSize, reach, cancellationToken);

    /// <summary>
    /// A page of the list, narrowed by IoT Central's <c>filter</c> and ordered by its <c>orderby</c> (as the caller wrote
    /// them; the fields are <see cref="ListFields"/>), evaluated by the database, and narrowed to the devices within
    /// <paramref name="reach"/>: by the database for a reach of up to <see cref="MaxPushedOrganizations"/>
    /// organizations, over the rows read otherwise, where a page ends short (with where to continue) once
    /// <see cref="ListScanBudget"/> rows were read. Throws <see cref="ListQueryException"/> naming the option at fault.
    /// </summary>
    public Task<DevicePage> ListAsync(string applicationId, ListRequest request, int pageSize, OrganizationReach reach, CancellationToken cancellationToken) =>
        ListAsync(applicationId, new ListPlan<DeviceEntity>(ListCompiler, d => d.Id, request), null, pageSize, reach, cancellationToken);

    /// <summary>
    /// A page of the device list as a person browses it (<see cref="DeviceListQuery"/>): the same plan, keyset paging
    /// and reach as the REST list above, over the fields the page offers (<see cref="PageFields"/>), and each device's
    /// connection state as the gateway holds it now. A malformed <paramref name="after"/> or search is refused.
    /// </summary>
    public async Task<Outcome<DeviceListPage>> ListAsync(
        string applicationId, DeviceListQuery query, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var planned = PagePlan(query, after);
        if (!planned.Succeeded)
        {
            return planned.Problem;
        }

        var page = await ListAsync(applicationId, planned.Value, ConnectedCondition(applicationId, query.Connected), pageSize, reach, cancellationToken);
        var items = page.Devices.Select(d => new DeviceListItem(d, connections.IsConnected(applicationId, d.Id))).ToList();
        return new DeviceListPage(items, page.ContinueAfter);
    }

    /// <summary>
    /// How many devices <paramref name="query"/> selects within <paramref name="reach"/>, counted up to
    /// <see cref="CountLimit"/>: past it the pager says "more than". The count reads at most that many index entries
    /// (the devices' primary key starts with the application), so it costs the same for any fleet size.
    /// </summary>
    public async Task<Outcome<DeviceCount>> CountAsync(string applicationId, DeviceListQuery query, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var planned = PagePlan(query, null);
        if (!planned.Succeeded)
        {
            return planned.Problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var selected = planned.Value.Filter(Narrowed(Scoped(db, applicationId).AsNoTracking(), reach, ConnectedCondition(applicationId, query.Connected)));
        if (reach.IsWholeApplication || ReachCondition(reach) is not null)
        {
            var counted = await selected.Select(d => d.Id).Take(CountLimit + 1).CountAsync(cancellationToken);
            return new DeviceCount(Math.Min(counted, CountLimit), counted > CountLimit);
        }

        // A reach too wide to spell out in SQL is checked over the rows read, within the same bound.
        var owners = await selected.Select(d => d.Organizations).Take(CountLimit + 1).ToListAsync(cancellationToken);
        var reached = owners.Count(o => reach.Reaches(JsonSerializer.Deserialize<List<string>>(o) ?? []));
        return new DeviceCount(Math.Min(reached, CountLimit), owners.Count > CountLimit);
    }

    private async Task<DevicePage> ListAsync(
        string applicationId, ListPlan<DeviceEntity> plan, Expression<Func<DeviceEntity, bool>>? condition, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scoped = Narrowed(Scoped(db, applicationId).AsNoTracking(), reach, condition);
        var page = new List<Device>();
        ListCursor? last = null;
        var chunk = reach.IsWholeApplication ? pageSize + 1 : Math.Max(NarrowedChunk, pageSize + 1);
        var cursor = plan.Cursor;
        var scanned = 0;
        while (true)
        {
            var rows = await plan.Rows(scoped, cursor).Take(chunk).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                var device = ToModel(row.Item);
                if (reach.Reaches(device.Organizations))
                {
                    if (page.Count == pageSize)
                    {
                        return new DevicePage(page, plan.Encode(last!));
                    }

                    page.Add(device);
                    last = plan.CursorOf(row);
                }
            }

            if (rows.Count < chunk)
            {
                return new DevicePage(page, null);
            }

            cursor = plan.CursorOf(rows[^1]);
            scanned += rows.Count;
            if (scanned >= ListScanBudget)
            {
                // The page ends short, even empty, and continues after the last device read.
                return new DevicePage(page, plan.Encode(cursor));
            }
        }
    }

    private static IQueryable<DeviceEntity> Narrowed(IQueryable<DeviceEntity> scoped, OrganizationReach reach, Expression<Func<DeviceEntity, bool>>? condition)
    {
        if (ReachCondition(reach) is { } within)
        {
            scoped = scoped.Where(within);
        }

        return condition is null ? scoped : scoped.Where(condition);
    }

    /// <summary>
    /// The page's query as a list plan: the search matches id or display name (IoT Central's <c>contains</c>,
    /// case-insensitive), each filter is an <c>eq</c> condition of the list's grammar, and the order one of the page's
    /// orderable fields (id order needs no key).
    /// </summary>
    private static Outcome<ListPlan<DeviceEntity>> PagePlan(DeviceListQuery query, string? after)
    {
        if (query.Search is { Length: > DeviceListQuery.MaxSearchLength })
        {
            return Problem.Invalid($"The search is longer than {DeviceListQuery.MaxSearchLength} characters, the longest device id.");
        }

        ListCondition? condition = null;
        void And(ListCondition next) => condition = condition is null ? next : new ListLogical(And: true, condition, next);
        static ListComparison Is(string field, string? text, bool? flag) => new(field, ListOperator.Equal, new ListLiteral(text, flag));

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var text = query.Search.Trim();
            And(new ListLogical(And: false, new ListContains("id", text), new ListContains("displayName", text)));
        }

        if (query.Template is { } template)
        {
            And(Is("template", template, null));
        }

        if (query.Organization is { } organization)
        {
            And(Is("scopes", organization, null));
        }

        foreach (var (name, flag) in new[] { ("enabled", query.Enabled), ("approved", query.Approved), ("simulated", query.Simulated) })
        {
            if (flag is { } value)
            {
                And(Is(name, null, value));
            }
        }

        var field = query.OrderBy switch
        {
            DeviceListOrder.DisplayName => "displayName",
            DeviceListOrder.Template => "template",
            DeviceListOrder.LastConnection => "lastConnectTime",
            _ => query.Descending ? "id" : null,
        };
        var order = field is null ? null : query.Descending ? field + " desc" : field;
        try
        {
            return new ListPlan<DeviceEntity>(PageCompiler, d => d.Id, new ListRequest(null, order, after) { Condition = condition });
        }
        catch (ListQueryException ex)
        {
            return Problem.Invalid(ex.Message);
        }
    }

    /// <summary>
    /// The connection state as a condition on the ids the gateway holds connected now, sent as one parameter (a JSON
    /// array on SQLite, an array on PostgreSQL) whatever their number, so the statement stays the same.
    /// </summary>
    private Expression<Func<DeviceEntity, bool>>? ConnectedCondition(string applicationId, bool? connected)
    {
        if (connected is not { } wanted)
        {
            return null;
        }

        var ids = connections.ConnectedDevices(applicationId).ToArray();
        return wanted ? d => EF.Parameter(ids).Contains(d.Id) : d => !EF.Parameter(ids).Contains(d.Id);
    }

    /// <summary>
    /// The reach as a condition the database evaluates: the organizations column (a JSON array written by
    /// <see cref="JsonSerializer"/>) holds one of the reached ids in its quoted form, as the list's <c>scopes</c> filter
    /// matches. Null for the whole application or a reach too wide to spell out; the rows read are checked again.
    /// </summary>
    private static Expression<Func<DeviceEntity, bool>>? ReachCondition(OrganizationReach reach)
    {
        if (reach.Organizations is not { Count: <= MaxPushedOrganizations } organizations)
        {
            return null;
        }

        var device = Expression.Parameter(typeof(DeviceEntity), "d");
        var column = Expression.Property(device, nameof(DeviceEntity.Organizations));
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        Expression body = Expression.Constant(false);
        foreach (var organization in organizations.Order(StringComparer.Ordinal))
        {
            var element = Expression.Call(column, contains, Expression.Constant(JsonSerializer.Serialize(organization)));
            body = Expression.OrElse(body, element);
        }

        return Expression.Lambda<Func<DeviceEntity, bool>>(body, device);
    }

    /// <summary>
    /// The fields a device list's <c>filter</c> may name (IoT Central REST API 2022-10-31-preview, "Use ODATA filters":
    /// id, displayName, enabled, provisioned, simulated, template, scopes = the organization) and the one it may be
    /// ordered by (displayName).
    /// </summary>
    private static IReadOnlyDictionary<string, ListField<DeviceEntity>> ListFields { get; } = new Dictionary<string, ListField<DeviceEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<DeviceEntity>(d => d.Id),
        ["displayName"] = ListField.Text<DeviceEntity>(d => d.DisplayName, orderable: true),
        ["enabled"] = ListField.Boolean<DeviceEntity>(d => d.Enabled),
        ["provisioned"] = ListField.Boolean<DeviceEntity>(d => d.Provisioned),
        ["simulated"] = ListField.Boolean<DeviceEntity>(d => d.Simulated),
        ["template"] = ListField.Text<DeviceEntity>(d => d.TemplateId),
        ["scopes"] = ListField.JsonIdSet<DeviceEntity>(d => d.Organizations),
    };

    private static readonly ListQueryCompiler<DeviceEntity> ListCompiler = new(ListFields);

    /// <summary>
    /// The device list page's fields: the REST list's, plus approval and the orders a person sorts by (id, template,
    /// last connection). The last connection is compared as the text the store keeps (ISO 8601, always UTC, so text
    /// order is time order); the page's cursors carry that text as the database returned it.
    /// </summary>
    private static IReadOnlyDictionary<string, ListField<DeviceEntity>> PageFields { get; } = new Dictionary<string, ListField<DeviceEntity>>(ListFields, StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<DeviceEntity>(d => d.Id, orderable: true),
        ["template"] = ListField.Text<DeviceEntity>(d => d.TemplateId, orderable: true),
        ["approved"] = ListField.Boolean<DeviceEntity>(d => d.Approved),
        ["lastConnectTime"] = ListField.Text<DeviceEntity>(d => d.LastConnectTime.ToString(), orderable: true),
    };

    private static readonly ListQueryCompiler<DeviceEntity> PageCompiler = new(PageFields);

    /// <summary>
    /// Creates the device or replaces its writable fields (IoT Central's <c>Devices_Create</c>, a PUT). A
    /// <see cref="DeviceWrite.Approved"/> of <c>null</c> keeps an existing device's approval (an operator's decision,
    /// not a field IoT Central scripts know about) and approves a new one.
    /// </summary>
    public Task<Outcome<Device>> CreateOrReplaceAsync(
        string applicationId, string deviceId, DeviceWrite write, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken) =>
        CreateOrReplaceCoreAsync(applicationId, deviceId, write, ifMatch, replace: true, reach, cancellationToken);

    /// <summary>
    /// Creates the device, and only creates it: an id already taken (also by a device outside the caller's reach, or by
    /// a concurrent create that commits first) is a conflict, never a replacement. What a person's "new device" means.
    /// </summary>
    public Task<Outcome<Device>> CreateAsync(string applicationId, string deviceId, DeviceWrite write, OrganizationReach reach, CancellationToken cancellationToken) =>
        CreateOrReplaceCoreAsync(applicationId, deviceId, write, null, replace: false, reach, cancellationToken);

    private async Task<Outcome<Device>> CreateOrReplaceCoreAsync(
        string applicationId, string deviceId, DeviceWrite write, string? ifMatch, bool replace, OrganizationReach reach, CancellationToken cancellationToken, bool retried = false)
    {
        if (!DeviceIds.IsValid(deviceId))
        {
            return Problem.Invalid($"Device id '{deviceId}' is not valid: use 1 to {DeviceIds.MaxLength} letters, digits, '-', '.', '_' or ':'.");
        }

        // Most PUTs without a precondition name a new id: the write meets a new device's rules and is queued as a create
        // at once, without a read before it; the batch says whether the id is taken (one read for all its devices). A
        // write the rules refuse, or an id found taken, goes the way of a replace below, which reads the device and
        // judges the write against it (its reach, its template) as if no create had been tried.
        write = await EdgeByTemplateAsync(applicationId, null, write, cancellationToken);
        if (ifMatch is null && !retried
            && await RefuseAsync(applicationId, null, write, reach, cancellationToken) is null
            && await UnknownOrganizationAsync(applicationId, write.Organizations, cancellationToken) is null)
        {
            var created = await CreateGroupedAsync(applicationId, deviceId, write, cancellationToken);
            if (created is not null || !replace)
            {
                return created ?? Problem.Conflict($"Device '{deviceId}' already exists.");
            }
        }

        var entity = await GetEntityAsync(applicationId, deviceId, cancellationToken);
        if (entity is not null && !replace)
        {
            return Problem.Conflict($"Device '{deviceId}' already exists.");
        }

        if (entity is not null && !reach.Reaches(Organizations(entity)))
        {
            return NotFound(deviceId);
        }

        var before = entity is null ? null : ToWrite(entity);
        if (await RefuseAsync(applicationId, before, write, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity?.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        if (await UnknownOrganizationAsync(applicationId, write.Organizations, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        if (entity is null)
        {
            var created = await CreateGroupedAsync(applicationId, deviceId, write, cancellationToken);
            if (created is not null || !replace)
            {
                return created ?? Problem.Conflict($"Device '{deviceId}' already exists.");
            }

            // A concurrent PUT of the same id committed its device first. A PUT creates or replaces (IoT Central's
            // Devices_Create), so this one now replaces the device that exists, under the same rules as if it had been
            // there when the request came; once only, as a device deleted and created again meanwhile is a conflict.
            return retried ? Problem.Conflict(ConflictMessage) : await CreateOrReplaceCoreAsync(applicationId, deviceId, write, ifMatch, replace, reach, cancellationToken, retried: true);
        }

        return await ReplaceGroupedAsync(applicationId, entity, before!, write, cancellationToken);
    }

    /// <summary>
    /// Creates an accepted new device through the metadata store's group commit (<see cref="MetadataWriter"/>): many
    /// callers' devices share one durable commit, each answered after the commit that holds its device, and its
    /// <see cref="DeviceEventKind.Created"/> event is published once, after that commit. Whether the id is still free is
    /// decided inside the batch's transaction (a device stored meanwhile, or created by an earlier write of the same
    /// batch): then nothing is written and null is answered, so a taken id never fails the other devices of the batch.
    /// </summary>
    private async Task<Outcome<Device>?> CreateGroupedAsync(string applicationId, string deviceId, DeviceWrite write, CancellationToken cancellationToken)
    {
        // Made once, outside the batch: generating and protecting keys is the costly part of a create.
        var primary = secrets.Protect(SymmetricKeys.Generate());
        var secondary = secrets.Protect(SymmetricKeys.Generate());
        var createdAt = time.GetUtcNow();
        DeviceEntity? entity = null;
        try
        {
            await writer.WriteAsync(applicationId, new MetadataBatchKey(ExistingDevices.Instance, deviceId), (unit, _) =>
            {
                entity = null;
                if (unit.Exists(ExistingDevices.Instance, deviceId))
                {
                    return ValueTask.CompletedTask;
                }

                var row = new DeviceEntity
                {
                    ApplicationId = applicationId,
                    Id = deviceId,
                    PrimaryKeyProtected = primary,
                    SecondaryKeyProtected = secondary,
                    GenerationId = GenerationIds.New(),
                    CreatedAt = createdAt,
                    ETag = string.Empty,
                };
                Apply(row, write);
                unit.Db.Devices.Add(row);
                unit.Added(ExistingDevices.Instance, deviceId);
                // Says whether the device is simulated, so the simulation supervisor skips the read of every other new device.
                unit.Append(DeviceEventKind.Created, deviceId, row.Simulated ? new JsonObject { ["simulated"] = true } : null);
                entity = row;
                return ValueTask.CompletedTask;
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The store refused the device alone (its batch was retried write by write): what a failed save answers.
            return Problem.Conflict(ConflictMessage);
        }

        if (entity is null)
        {
            return null;
        }

        LogWrite(applicationId, deviceId, null, ToWrite(entity));
        // A template assignment remembered before the commit ("none", for an id not yet created) would go on
        // interpreting the device's telemetry and commands without its template.
        templates.ForgetDevice(applicationId, deviceId);
        return ToModel(entity);
    }

    /// <summary>
    /// Changes some of the device's writable fields (IoT Central's <c>Devices_Update</c>, a merge PATCH).
    /// <paramref name="patch"/> reads the caller's wire form over the current fields, refusing a malformed body with its
    /// own problem; the result then meets the same rules as a create.
    /// </summary>
    public async Task<Outcome<Device>> UpdateAsync(
        string applicationId, string deviceId, Func<DeviceWrite, Outcome<DeviceWrite>> patch, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var entity = await GetEntityAsync(applicationId, deviceId, cancellationToken);
        if (entity is null || !reach.Reaches(Organizations(entity)))
        {
            return NotFound(deviceId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        var before = ToWrite(entity);
        var patched = patch(before);
        if (!patched.Succeeded)
        {
            return patched.Problem;
        }

        var after = await EdgeByTemplateAsync(applicationId, before, patched.Value, cancellationToken);
        var refused = await RefuseAsync(applicationId, before, after, reach, cancellationToken)
            ?? await UnknownOrganizationAsync(applicationId, after.Organizations, cancellationToken);
        return refused ?? await ReplaceGroupedAsync(applicationId, entity, before, after, cancellationToken);
    }

    /// <summary>
    /// The rules a write meets before anything is stored: a template it assigns exists (one the device already has is
    /// not asked again), and a caller limited to organizations places the device only within them.
    /// </summary>
    private async Task<Problem?> RefuseAsync(string applicationId, DeviceWrite? before, DeviceWrite write, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (write.Template is not null && write.Template != before?.Template && !await templates.ExistsAsync(applicationId, write.Template, cancellationToken))
        {
            return Problem.Invalid($"Device template '{write.Template}' does not exist.");
        }

        return reach.MayPlaceIn(write.Organizations) ? null : Problem.Forbidden(OutsideReachMessage);
    }

    /// <summary>
    /// A write that assigns an IoT Edge device's template makes the device an IoT Edge device, as IoT Central types a
    /// device by its template (REST API 2022-10-31-preview, <c>Device.type</c>). Asked only when the template changes;
    /// a template that does not exist is left to <see cref="RefuseAsync"/>.
    /// </summary>
    private async Task<DeviceWrite> EdgeByTemplateAsync(string applicationId, DeviceWrite? before, DeviceWrite write, CancellationToken cancellationToken) =>
        write.Template is not null && write.Template != before?.Template && write.IotEdge != true
        && await templates.IsEdgeAsync(applicationId, write.Template, cancellationToken)
            ? write with { IotEdge = true }
            : write;

    /// <summary>A device belongs only to organizations of its application's tree; a device in a missing one would be out of everyone's reach but the application's.</summary>
    private async Task<Problem?> UnknownOrganizationAsync(string applicationId, IReadOnlyList<string> owners, CancellationToken cancellationToken)
    {
        if (owners.Count == 0)
        {
            return null;
        }

        var unknown = await organizations.UnknownAsync(applicationId, owners, cancellationToken);
        return unknown.Count == 0 ? null : Problem.Invalid($"organizations: the organization '{unknown[0]}' does not exist.");
    }

    /// <summary>
    /// Applies an accepted write to the device as it was read (<paramref name="entity"/>, untracked) through the metadata
    /// store's group commit, with its lifecycle event in the same commit: the row changes only while its ETag is still
    /// the one read (a change committed meanwhile makes this write a conflict, refused alone, as the optimistic
    /// concurrency of a save of its own did). After the commit the template cache and the device's connection follow.
    /// </summary>
    private async Task<Outcome<Device>> ReplaceGroupedAsync(
        string applicationId, DeviceEntity entity, DeviceWrite before, DeviceWrite write, CancellationToken cancellationToken)
    {
        var wasAllowed = entity.Enabled && entity.Approved;
        var read = entity.ETag;
        Apply(entity, write);
        var after = ToWrite(entity);
        var changes = Changed(before, after);
        var updated = false;
        try
        {
            await writer.WriteAsync(applicationId, async (unit, ct) =>
            {
                updated = await Scoped(unit.Db, applicationId).Where(d => d.Id == entity.Id && d.ETag == read).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.DisplayName, entity.DisplayName)
                    .SetProperty(d => d.TemplateId, entity.TemplateId)
                    .SetProperty(d => d.Enabled, entity.Enabled)
                    .SetProperty(d => d.Simulated, entity.Simulated)
                    .SetProperty(d => d.Organizations, entity.Organizations)
                    .SetProperty(d => d.Approved, entity.Approved)
                    .SetProperty(d => d.IotEdge, entity.IotEdge)
                    .SetProperty(d => d.ETag, entity.ETag), ct) > 0;
                if (updated && changes is not null)
                {
                    unit.Append(DeviceEventKind.Updated, entity.Id, changes.DeepClone());
                }
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Problem.Conflict(ConflictMessage);
        }

        if (!updated)
        {
            return Problem.Conflict(ConflictMessage);
        }

        LogWrite(applicationId, entity.Id, before, after);
        if (before.Template != after.Template)
        {
            // A template assignment remembered before the commit would go on interpreting the device's telemetry and
            // commands by the old template.
            templates.ForgetDevice(applicationId, entity.Id);
        }

        await DisconnectIfDisabledAsync(applicationId, entity.Id, wasAllowed && !(entity.Enabled && entity.Approved));
        return ToModel(entity);
    }

    /// <summary>
    /// Deletes the device and closes its connection; answers the device as it was. The row, what the other areas keep
    /// of the device, and its <see cref="DeviceEventKind.Deleted"/> event go in one commit of the metadata store's
    /// group commit, where the device is looked at again: one gone meanwhile, or moved out of the caller's reach, is
    /// not found.
    /// </summary>
    public async Task<Outcome<Device>> DeleteAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        using var span = DevicesTracing.Source.StartActivity("devices.delete");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        var entity = await GetEntityAsync(applicationId, deviceId, cancellationToken);
        if (entity is null || !reach.Reaches(Organizations(entity)))
        {
            return NotFound(deviceId);
        }

        var deleted = false;
        await writer.WriteAsync(applicationId, async (unit, ct) =>
        {
            deleted = false;
            var owners = await Scoped(unit.Db, applicationId).Where(d => d.Id == deviceId).Select(d => d.Organizations).FirstOrDefaultAsync(ct);
            if (owners is null || !reach.Reaches(JsonSerializer.Deserialize<List<string>>(owners) ?? []))
            {
                return;
            }

            await Scoped(unit.Db, applicationId).Where(d => d.Id == deviceId).ExecuteDeleteAsync(ct);
            foreach (var area in areas)
            {
                await area.ReleaseDeviceAsync(unit.Db, applicationId, deviceId, ct);
            }

            unit.Removed(ExistingDevices.Instance, deviceId);
            unit.Append(DeviceEventKind.Deleted, deviceId, null);
            deleted = true;
        }, cancellationToken);
        if (!deleted)
        {
            return NotFound(deviceId);
        }

        Log.Deleted(logger, applicationId, deviceId);
        templates.ForgetDevice(applicationId, deviceId);
        await connections.DisconnectAsync(applicationId, deviceId, "device deleted");
        return ToModel(entity);
    }

    private async Task<DeviceEntity?> GetEntityAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
    }

    /// <summary>The device's symmetric keys (IoT Central's <c>Devices_GetCredentials</c>), for a caller that reaches the device.</summary>
    public async Task<Outcome<DeviceKeys>> CredentialsAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId).AsNoTracking().Where(d => d.Id == deviceId)
            .Select(d => new { d.Organizations, d.PrimaryKeyProtected, d.SecondaryKeyProtected }).FirstOrDefaultAsync(cancellationToken);
        return row is null || !reach.Reaches(JsonSerializer.Deserialize<List<string>>(row.Organizations) ?? [])
            ? NotFound(deviceId)
            : new DeviceKeys(secrets.Unprotect(row.PrimaryKeyProtected), secrets.Unprotect(row.SecondaryKeyProtected));
    }

    public async Task<DeviceAuthentication?> FindForAuthenticationAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId).AsNoTracking()
            .Where(d => d.Id == deviceId)
            .Select(d => new { d.Id, d.Enabled, d.Approved, d.PrimaryKeyProtected, d.SecondaryKeyProtected, d.AttestationType, d.X509PrimaryThumbprint, d.X509SecondaryThumbprint, d.EnrollmentGroupId })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? null
            : new DeviceAuthentication(
                row.Id, row.Enabled, row.Approved, new DeviceKeys(secrets.Unprotect(row.PrimaryKeyProtected), secrets.Unprotect(row.SecondaryKeyProtected)),
                row.AttestationType, row.X509PrimaryThumbprint, row.X509SecondaryThumbprint, row.EnrollmentGroupId);
    }

    /// <summary>
    /// Keeps connect and disconnect times (and the model id announced on CONNECT) with their device event. Recorded
    /// through the metadata store's group commit (<see cref="MetadataWriter"/>), so a connect storm or a mass disconnect
    /// shares commits instead of queueing for SQLite's write lock, and one device's records commit one after another in
    /// the order they were asked for (connected before disconnected in its log, which exports and the device's event
    /// stream read).
    /// </summary>
    public async Task RecordConnectivityAsync(string applicationId, string deviceId, bool connected, string? modelId, CancellationToken cancellationToken)
    {
        var associated = false;
        await _connectivityTurns.RunAsync(applicationId, deviceId, async () =>
        {
            // Asked in the device's turn (so its records keep the order they were asked in) but before the write is
            // queued, so nothing waits for another area inside the batch's transaction.
            var announced = connected && modelId is not null ? await templates.FindByModelIdAsync(applicationId, modelId, cancellationToken) : null;
            var edge = announced is not null && await templates.IsEdgeAsync(applicationId, announced, cancellationToken);
            await writer.WriteAsync(applicationId, (unit, ct) => RecordAsync(unit, announced, edge, ct), cancellationToken);
        });
        if (associated)
        {
            templates.ForgetDevice(applicationId, deviceId);
        }

        // Runs again, in a fresh transaction, when its batch failed: it decides afresh what it reports.
        async ValueTask RecordAsync(MetadataWriteUnit unit, string? announced, bool edge, CancellationToken ct)
        {
            associated = false;
            var now = time.GetUtcNow();
            var query = Scoped(unit.Db, applicationId).Where(d => d.Id == deviceId);
            var updated = connected
                ? await query.ExecuteUpdateAsync(s => s.SetProperty(d => d.LastConnectTime, now).SetProperty(d => d.ModelId, d => modelId ?? d.ModelId), ct)
                : await query.ExecuteUpdateAsync(s => s.SetProperty(d => d.LastDisconnectTime, now), ct);
            if (updated == 0)
            {
                return;
            }

            associated = announced is not null && await AssociateAsync(unit.Db, applicationId, deviceId, announced, edge, ct);
            unit.Append(connected ? DeviceEventKind.Connected : DeviceEventKind.Disconnected, deviceId,
                connected && modelId is not null ? new JsonObject { ["modelId"] = modelId } : null, time: now);
        }
    }

    public bool IsConnected(string applicationId, string deviceId) => connections.IsConnected(applicationId, deviceId);

    /// <summary>The ids of the devices assigned to a template within <paramref name="reach"/>: the population a query over that template covers.</summary>
    public async Task<IReadOnlyList<string>> IdsByTemplateAsync(string applicationId, string templateId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Scoped(db, applicationId).Where(d => d.TemplateId == templateId).Select(d => new { d.Id, d.Organizations }).ToListAsync(cancellationToken);
        return rows.Where(r => reach.Reaches(JsonSerializer.Deserialize<List<string>>(r.Organizations) ?? [])).Select(r => r.Id).ToList();
    }

    /// <summary>
    /// Records a successful provisioning: creates the device on its first registration (approved when the application
    /// auto-approves), or marks an existing one provisioned. A device that provisioned through a symmetric-key group
    /// takes the derived keys as its hub keys, as DPS does. Written through the metadata store's group commit, so a
    /// storm of registrations shares commits; whether the device exists is decided in the batch (after the writes
    /// queued before it), so two first registrations of one id at once create it once and mark it provisioned again.
    /// </summary>
    public async Task<Device> ProvisionAsync(
        string applicationId, string deviceId, bool autoApprove, string? modelId, string? enrollmentGroupId, DeviceKeys? derivedKeys, CancellationToken cancellationToken)
    {
        using var span = DevicesTracing.Source.StartActivity("devices.provision");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);

        // Asked before the write is queued, so nothing waits for another area inside the batch's transaction; it matters
        // only to a device without a template (an operator's assignment is never overridden), which the batch checks.
        var announced = modelId is null ? null : await templates.FindByModelIdAsync(applicationId, modelId, cancellationToken);
        var announcedEdge = announced is not null && await templates.IsEdgeAsync(applicationId, announced, cancellationToken);
        var primary = secrets.Protect(derivedKeys?.PrimaryKey ?? SymmetricKeys.Generate());
        var secondary = secrets.Protect(derivedKeys?.SecondaryKey ?? SymmetricKeys.Generate());
        var now = time.GetUtcNow();
        DeviceEntity? entity = null;
        bool created = false, associated = false;
        await writer.WriteAsync(applicationId, new MetadataBatchKey(ExistingDevices.Instance, deviceId), async (unit, ct) =>
        {
            created = !unit.Exists(ExistingDevices.Instance, deviceId);
            var row = created ? null : await unit.Db.Devices.FindAsync([applicationId, deviceId], ct);
            if (row is null)
            {
                created = true;
                row = new DeviceEntity
                {
                    ApplicationId = applicationId,
                    Id = deviceId,
                    DisplayName = deviceId,
                    PrimaryKeyProtected = primary,
                    SecondaryKeyProtected = secondary,
                    AttestationType = null,
                    Approved = autoApprove,
                    GenerationId = GenerationIds.New(),
                    ETag = NewETag(),
                    CreatedAt = now,
                };
                unit.Db.Devices.Add(row);
                unit.Added(ExistingDevices.Instance, deviceId);
                unit.Append(DeviceEventKind.Created, deviceId, new JsonObject { ["provisioned"] = true });
            }
            else
            {
                if (derivedKeys is not null)
                {
                    row.PrimaryKeyProtected = primary;
                    row.SecondaryKeyProtected = secondary;
                }

                unit.Append(DeviceEventKind.Updated, deviceId, new JsonObject { ["changes"] = new JsonArray("provisioned") });
            }

            row.Provisioned = true;
            row.ModelId = modelId ?? row.ModelId;
            associated = row.TemplateId is null && announced is not null;
            if (associated)
            {
                row.TemplateId = announced;
                row.IotEdge |= announcedEdge;
            }

            row.EnrollmentGroupId = enrollmentGroupId ?? row.EnrollmentGroupId;
            row.ETag = NewETag();
            entity = row;
        }, cancellationToken);

        Log.Provisioned(logger, applicationId, deviceId, created, enrollmentGroupId, modelId);
        if (associated || created)
        {
            templates.ForgetDevice(applicationId, deviceId);
        }

        return ToModel(entity!);
    }

    public async Task<DeviceAttestation?> GetAttestationAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var auth = await FindForAuthenticationAsync(applicationId, deviceId, cancellationToken);
        return auth?.AttestationType switch
        {
            null => null,
            "x509" => new DeviceAttestation("x509", null, auth.X509PrimaryThumbprint, auth.X509SecondaryThumbprint),
            _ => new DeviceAttestation("symmetricKey", auth.Keys, null, null),
        };
    }

    /// <summary>
    /// Sets or removes (null) the device's individual enrollment; its current connection closes when credentials change.
    /// Symmetric keys must be base64 of at least 16 bytes, as every key the platform accepts (<see cref="SymmetricKeys"/>).
    /// </summary>
    public async Task<Outcome<Device>> SetAttestationAsync(
        string applicationId, string deviceId, DeviceAttestation? attestation, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (attestation?.SymmetricKey is { } offered && (!SymmetricKeys.TryDecode(offered.PrimaryKey, out _) || !SymmetricKeys.TryDecode(offered.SecondaryKey, out _)))
        {
            return Problem.Invalid("Symmetric keys must be base64 of at least 16 bytes.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (entity is null || !reach.Reaches(Organizations(entity)))
        {
            return NotFound(deviceId);
        }

        entity.AttestationType = attestation?.Type;
        if (attestation?.SymmetricKey is { } keys)
        {
            entity.PrimaryKeyProtected = secrets.Protect(keys.PrimaryKey);
            entity.SecondaryKeyProtected = secrets.Protect(keys.SecondaryKey);
        }

        entity.X509PrimaryThumbprint = attestation?.X509PrimaryThumbprint;
        entity.X509SecondaryThumbprint = attestation?.X509SecondaryThumbprint;
        entity.ETag = NewETag();
        if (await SaveAsync(db.SaveChangesAsync(cancellationToken)) is { } conflict)
        {
            return conflict;
        }

        Log.CredentialsChanged(logger, applicationId, deviceId, attestation?.Type ?? "removed");
        await connections.DisconnectAsync(applicationId, deviceId, "device credentials changed");
        return ToModel(entity);
    }

    /// <summary>
    /// A device without a template is associated with the template whose model is the one it announced; an operator's
    /// assignment is never overridden (IoT Central docs "How devices connect", "Automatically assign a device to a device template").
    /// </summary>
    private static async Task<bool> AssociateAsync(CentrumDbContext db, string applicationId, string deviceId, string templateId, bool edge, CancellationToken cancellationToken) =>
        await Scoped(db, applicationId).Where(d => d.Id == deviceId && d.TemplateId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.TemplateId, templateId).SetProperty(d => d.IotEdge, d => d.IotEdge || edge), cancellationToken) > 0;

    /// <summary>
    /// The event data of an update: what it changed in IoT Central's device lifecycle vocabulary (enabled, disabled,
    /// approved, displayNameChanged, deviceTemplateChanged); an update of the device's organizations or simulation flag
    /// alone is recorded with no lifecycle change, and one that changed none of those facts (null) is not recorded.
    /// </summary>
    private static JsonObject? Changed(DeviceWrite before, DeviceWrite after)
    {
        var changes = new JsonArray();
        if (before.Enabled != after.Enabled)
        {
            changes.Add(after.Enabled ? "enabled" : "disabled");
        }

        if (before.Approved == false && after.Approved == true)
        {
            changes.Add("approved");
        }

        if (before.DisplayName != after.DisplayName)
        {
            changes.Add("displayNameChanged");
        }

        if (before.Template != after.Template)
        {
            changes.Add("deviceTemplateChanged");
        }

        if (changes.Count > 0)
        {
            return new JsonObject { ["changes"] = changes };
        }

        // No lifecycle message type names these (so no lifecycle export message comes of it), but what readers of the
        // log keep of a device (exports' device facts: $organizations, $simulated) must hear of them.
        return before.Simulated != after.Simulated || !before.Organizations.SequenceEqual(after.Organizations, StringComparer.Ordinal)
            ? new JsonObject { ["changes"] = new JsonArray() }
            : null;
    }

    /// <summary>What an operator needs to know of a write: which of the device's facts changed, never its keys.</summary>
    private void LogWrite(string applicationId, string deviceId, DeviceWrite? before, DeviceWrite after)
    {
        if (before is null)
        {
            Log.Created(logger, applicationId, deviceId);
            return;
        }

        var changes = new List<string>(5);
        if (before.Enabled != after.Enabled)
        {
            changes.Add(after.Enabled ? "enabled" : "disabled");
        }

        if (before.Approved != after.Approved)
        {
            changes.Add(after.Approved == true ? "approved" : "unapproved");
        }

        if (before.DisplayName != after.DisplayName)
        {
            changes.Add("display name");
        }

        if (before.Template != after.Template)
        {
            changes.Add($"template {after.Template ?? "(none)"}");
        }

        if (!before.Organizations.SequenceEqual(after.Organizations))
        {
            changes.Add($"organizations [{string.Join(", ", after.Organizations)}]");
        }

        if (changes.Count > 0)
        {
            Log.Changed(logger, applicationId, deviceId, string.Join(", ", changes));
        }
    }

    /// <summary>
    /// The devices within <paramref name="reach"/>, counted: by the database for the whole application; for a limited
    /// caller over the rows its organizations narrow the table to, each checked against the reach as the list does.
    /// </summary>
    public async Task<DeviceCounts> CountAsync(string applicationId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scoped = Scoped(db, applicationId).AsNoTracking();
        if (reach.IsWholeApplication)
        {
            return new DeviceCounts(
                await scoped.CountAsync(cancellationToken),
                await scoped.CountAsync(d => d.Provisioned, cancellationToken),
                await scoped.CountAsync(d => !d.Enabled, cancellationToken),
                await scoped.CountAsync(d => d.Simulated, cancellationToken));
        }

        if (ReachCondition(reach) is { } within)
        {
            scoped = scoped.Where(within);
        }

        int total = 0, provisioned = 0, blocked = 0, simulated = 0;
        var rows = scoped.Select(d => new { d.Organizations, d.Provisioned, d.Enabled, d.Simulated }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (!reach.Reaches(JsonSerializer.Deserialize<List<string>>(row.Organizations) ?? []))
            {
                continue;
            }

            total++;
            provisioned += row.Provisioned ? 1 : 0;
            blocked += row.Enabled ? 0 : 1;
            simulated += row.Simulated ? 1 : 0;
        }

        return new DeviceCounts(total, provisioned, blocked, simulated);
    }

    private static IQueryable<DeviceEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.Devices.Where(d => d.ApplicationId == applicationId);

    private async Task DisconnectIfDisabledAsync(string applicationId, string deviceId, bool disabled)
    {
        if (disabled)
        {
            Log.Disabled(logger, applicationId, deviceId);
            await connections.DisconnectAsync(applicationId, deviceId, "device disabled");
        }
    }

    /// <summary>A concurrent write won (the ETag changed under us, or two creates of one id and the loser sees the key taken).</summary>
    private static async Task<Problem?> SaveAsync(Task save)
    {
        try
        {
            await save;
            return null;
        }
        catch (DbUpdateException)
        {
            return Problem.Conflict(ConflictMessage);
        }
    }

    private static Problem NotFound(string deviceId) => Problem.NotFound($"Device '{deviceId}' was not found.");

    private static void Apply(DeviceEntity entity, DeviceWrite write)
    {
        entity.DisplayName = write.DisplayName ?? entity.Id;
        entity.TemplateId = write.Template;
        entity.Enabled = write.Enabled;
        entity.Simulated = write.Simulated;
        entity.Organizations = JsonSerializer.Serialize(write.Organizations);
        entity.Approved = write.Approved ?? entity.Approved;
        entity.IotEdge = write.IotEdge ?? entity.IotEdge;
        entity.ETag = NewETag();
    }

    private static DeviceWrite ToWrite(DeviceEntity e) =>
        new(e.DisplayName, e.TemplateId, e.Enabled, e.Simulated, Organizations(e), e.Approved, e.IotEdge);

    private static Device ToModel(DeviceEntity e) => new(
        e.Id, e.ETag, e.DisplayName, e.TemplateId, e.Enabled, e.Provisioned, e.Simulated, Organizations(e), e.ModelId,
        e.LastConnectTime, e.LastDisconnectTime, e.Approved, e.IotEdge);

    private static List<string> Organizations(DeviceEntity e) => JsonSerializer.Deserialize<List<string>>(e.Organizations) ?? [];

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
