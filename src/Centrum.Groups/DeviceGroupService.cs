using System.Security.Cryptography;
using System.Text.Json;
using Centrum.Devices;
using Centrum.Groups.Filtering;
using Centrum.Groups.Internal;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Groups;

/// <summary>
/// The one way in to device groups, and the owner of their rules: a valid id, a display name, a filter that parses and
/// that Centrum can evaluate, organizations that exist and lie within the caller's reach, ETag preconditions. A
/// group's members are never stored: <see cref="MembersAsync"/> asks the devices area for the devices its filter
/// matches at that moment, within the caller's reach and the group's organizations, so REST and jobs see the same
/// members.
/// </summary>
public sealed class DeviceGroupService(
    IDbContextFactory<CentrumDbContext> contexts,
    IOrganizationCatalog organizations,
    DeviceRegistry devices,
    TwinService twins,
    TimeProvider time,
    ILogger<DeviceGroupService> logger)
{
    /// <summary>IoT Central's <c>maxpagesize</c> range (REST API 2022-10-31-preview: 1–100).</summary>
    public const int MaxPageSize = 100;

    /// <summary>Device groups per application (IoT Central documentation, "Quotas and limits": 1,000 device groups).</summary>
    public const int MaxGroups = 1000;

    /// <summary>IoT Central's <c>deviceGroupId</c>: at most 255 characters of <c>[a-zA-Z0-9_-]</c> (REST API swagger).</summary>
    public const int MaxIdLength = 255;

    /// <summary>Characters of a display name or description: far beyond what IoT Central's examples use, bounding what is stored.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>
    /// Devices a member page reads at most when property conditions are checked against twins: a page of a group whose
    /// members are rare among the devices its system conditions leave would otherwise read the whole fleet for one
    /// request. Ten reads of the device list's largest page; the page then ends short, with where to continue.
    /// </summary>
    public const int MemberScanBudget = 1000;

    private const string ConflictMessage = "The device group was changed by another request; read it again and retry.";

    private const string ETagMismatchMessage = "The device group's etag does not match; read it again.";

    private const string OutsideReachMessage = "The device group must belong to organizations within your reach.";

    /// <summary>The fields a group list's <c>filter</c> may name, after the device list's (id, displayName, scopes); it is ordered by displayName.</summary>
    private static readonly IReadOnlyDictionary<string, ListField<DeviceGroupEntity>> ListFields = new Dictionary<string, ListField<DeviceGroupEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<DeviceGroupEntity>(g => g.Id),
        ["displayName"] = ListField.Text<DeviceGroupEntity>(g => g.DisplayName, orderable: true),
        ["description"] = ListField.Text<DeviceGroupEntity>(g => g.Description),
        ["scopes"] = ListField.JsonIdSet<DeviceGroupEntity>(g => g.Organizations),
    };

    private static readonly ListQueryCompiler<DeviceGroupEntity> ListCompiler = new(ListFields);

    /// <summary>
    /// A page of the application's groups the caller reaches, narrowed and ordered by IoT Central's <c>filter</c> and
    /// <c>orderby</c>. An application holds at most <see cref="MaxGroups"/>, so the reach is applied over the rows read.
    /// </summary>
    public async Task<Outcome<DeviceGroupPage>> ListAsync(string applicationId, ListRequest request, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        try
        {
            var plan = new ListPlan<DeviceGroupEntity>(ListCompiler, g => g.Id, request);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await plan.Apply(Scoped(db, applicationId).AsNoTracking(), plan.Cursor).Take(MaxGroups + 1).ToListAsync(cancellationToken);
            var reached = rows.Where(r => reach.Reaches(Organizations(r))).Take(pageSize + 1).ToList();
            var page = reached.Take(pageSize).Select(ToModel).ToList();
            return new DeviceGroupPage(page, reached.Count > pageSize ? plan.Encode(plan.CursorOf(reached[pageSize - 1])) : null);
        }
        catch (ListQueryException ex)
        {
            return Problem.Invalid($"The query parameter '{ex.Parameter}' is not valid: {ex.Message}");
        }
    }

    /// <summary>The group as a caller with <paramref name="reach"/> sees it: one outside the reach is not found, as one that does not exist.</summary>
    public async Task<Outcome<DeviceGroup>> GetAsync(string applicationId, string groupId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        return entity is not null && reach.Reaches(Organizations(entity)) ? ToModel(entity) : NotFound(groupId);
    }

    /// <summary>Creates the group or replaces it (IoT Central's <c>DeviceGroups_Create</c>, a PUT).</summary>
    public async Task<Outcome<DeviceGroup>> CreateOrReplaceAsync(
        string applicationId, string groupId, DeviceGroupWrite write, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!IsValidId(groupId))
        {
            return Problem.Invalid($"Device group id '{groupId}' is not valid: use 1 to {MaxIdLength} letters, digits, '-' or '_'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (entity is not null && !reach.Reaches(Organizations(entity)))
        {
            return NotFound(groupId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity?.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        if (await RefuseAsync(applicationId, write, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (entity is null)
        {
            if (await Scoped(db, applicationId).CountAsync(cancellationToken) >= MaxGroups)
            {
                return new Problem(ProblemKind.LimitReached, "LimitReached", $"An application holds at most {MaxGroups} device groups.");
            }

            entity = new DeviceGroupEntity { ApplicationId = applicationId, Id = groupId, DisplayName = "", Filter = "", ETag = "", CreatedAt = time.GetUtcNow() };
            db.DeviceGroups.Add(entity);
        }

        return await WriteAsync(db, applicationId, entity, write, created: entity.ETag.Length == 0, cancellationToken);
    }

    /// <summary>
    /// Changes some of the group's fields (IoT Central's <c>DeviceGroups_Update</c>, a merge PATCH): <paramref name="patch"/>
    /// reads the caller's wire form over the current fields; the result meets the same rules as a create.
    /// </summary>
    public async Task<Outcome<DeviceGroup>> UpdateAsync(
        string applicationId, string groupId, Func<DeviceGroupWrite, Outcome<DeviceGroupWrite>> patch, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (entity is null || !reach.Reaches(Organizations(entity)))
        {
            return NotFound(groupId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        var patched = patch(ToWrite(entity));
        if (!patched.Succeeded)
        {
            return patched.Problem;
        }

        return await RefuseAsync(applicationId, patched.Value, reach, cancellationToken)
            ?? await WriteAsync(db, applicationId, entity, patched.Value, created: false, cancellationToken);
    }

    /// <summary>Deletes the group; its devices are not touched. Answers the group as it was.</summary>
    public async Task<Outcome<DeviceGroup>> DeleteAsync(string applicationId, string groupId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (entity is null || !reach.Reaches(Organizations(entity)))
        {
            return NotFound(groupId);
        }

        // Deleted only as read: a group replaced meanwhile (another etag) is not deleted on the strength of the old one.
        if (await Scoped(db, applicationId).Where(g => g.Id == groupId && g.ETag == entity.ETag).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return Problem.Conflict(ConflictMessage);
        }

        Log.Deleted(logger, applicationId, groupId);
        return ToModel(entity);
    }

    /// <summary>
    /// A page of the group's members as a caller with <paramref name="reach"/> may target them: the devices its filter
    /// matches now, within the caller's reach and, when the group names organizations, within those organizations and
    /// their descendants. Pages are keyed by device id (<paramref name="after"/>, the previous page's
    /// <see cref="GroupMemberPage.ContinueAfter"/>), so a device that joins or leaves between pages neither repeats nor
    /// shifts the others. The filter runs in the devices' database; nothing about members is stored here.
    /// </summary>
    public async Task<Outcome<GroupMemberPage>> MembersAsync(
        string applicationId, string groupId, OrganizationReach reach, string? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        var found = await GetAsync(applicationId, groupId, reach, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var group = found.Value;
        GroupFilterPlan plan;
        try
        {
            plan = GroupFilterPlan.Compile(group.Filter);
        }
        catch (GroupQueryException ex)
        {
            return Problem.Invalid($"The filter of device group '{groupId}' can no longer be evaluated: {ex.Message}");
        }

        return await EvaluateAsync(applicationId, plan, group.Organizations, reach, after, pageSize, cancellationToken);
    }

    /// <summary>
    /// The devices an unsaved filter would hold, evaluated exactly as <see cref="MembersAsync"/> evaluates a saved
    /// group's (same filter rules, same organizations narrowing, same reach), so a page that builds a filter previews
    /// the members the group will have once saved. An invalid filter gets the message a write of it would get.
    /// </summary>
    public async Task<Outcome<GroupMemberPage>> PreviewAsync(
        string applicationId, string filter, IReadOnlyList<string> groupOrganizations, OrganizationReach reach, string? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        ArgumentNullException.ThrowIfNull(groupOrganizations);
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        if (string.IsNullOrWhiteSpace(filter))
        {
            return Problem.Invalid("filter is required: a device query such as SELECT * FROM devices WHERE $template = \"dtmi:…\".");
        }

        GroupFilterPlan plan;
        try
        {
            plan = GroupFilterPlan.Compile(filter);
        }
        catch (GroupQueryException ex)
        {
            return Problem.Invalid($"filter: {ex.Message}");
        }

        return await EvaluateAsync(applicationId, plan, groupOrganizations, reach, after, pageSize, cancellationToken);
    }

    private async Task<GroupMemberPage> EvaluateAsync(
        string applicationId, GroupFilterPlan plan, IReadOnlyList<string> groupOrganizations, OrganizationReach reach, string? after, int pageSize, CancellationToken cancellationToken)
    {
        var members = reach;
        if (groupOrganizations.Count > 0)
        {
            var subtree = await organizations.SubtreeAsync(applicationId, groupOrganizations, cancellationToken);
            members = OrganizationReach.Within(subtree.Where(o => reach.Reaches([o])));
        }

        if (plan.Residual is null)
        {
            var page = await devices.ListAsync(applicationId, new ListRequest(null, null, after) { Condition = plan.Pushed }, pageSize, members, cancellationToken);
            return new GroupMemberPage(page.Devices, page.ContinueAfter);
        }

        return await ScanAsync(applicationId, plan, members, after, pageSize, cancellationToken);
    }

    /// <summary>
    /// Members under property conditions: the devices the pushed-down conditions leave, in id order, a page of the
    /// device list at a time, each checked against its twin (read for the whole page in one call of the twins area).
    /// Stops when the page is full or after <see cref="MemberScanBudget"/> devices; a page cut short by the budget may
    /// hold fewer members than asked, even none, and still continues after the last device read.
    /// </summary>
    private async Task<GroupMemberPage> ScanAsync(
        string applicationId, GroupFilterPlan plan, OrganizationReach members, string? after, int pageSize, CancellationToken cancellationToken)
    {
        var found = new List<Device>(pageSize);
        var scanned = 0;
        var cursor = after;
        while (true)
        {
            var chunk = await devices.ListAsync(applicationId, new ListRequest(null, null, cursor) { Condition = plan.Pushed }, MaxPageSize, members, cancellationToken);
            var states = await twins.GetManyAsync(applicationId, chunk.Devices.Select(d => d.Id).ToList(), cancellationToken);
            for (var i = 0; i < chunk.Devices.Count; i++)
            {
                var device = chunk.Devices[i];
                cursor = device.Id;
                scanned++;
                if (plan.Matches(device, states.GetValueOrDefault(device.Id)))
                {
                    found.Add(device);
                    if (found.Count == pageSize)
                    {
                        var more = i < chunk.Devices.Count - 1 || chunk.ContinueAfter is not null;
                        return new GroupMemberPage(found, more ? device.Id : null);
                    }
                }
            }

            if (chunk.ContinueAfter is null)
            {
                return new GroupMemberPage(found, null);
            }

            if (scanned >= MemberScanBudget)
            {
                return new GroupMemberPage(found, cursor);
            }
        }
    }

    /// <summary>The rules every write meets before anything is stored.</summary>
    private async Task<Problem?> RefuseAsync(string applicationId, DeviceGroupWrite write, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(write.DisplayName))
        {
            return Problem.Invalid("displayName is required.");
        }

        if (write.DisplayName.Length > MaxTextLength || write.Description?.Length > MaxTextLength)
        {
            return Problem.Invalid($"displayName and description take at most {MaxTextLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(write.Filter))
        {
            return Problem.Invalid("filter is required: a device query such as SELECT * FROM devices WHERE $template = \"dtmi:…\".");
        }

        try
        {
            _ = GroupFilterPlan.Compile(write.Filter);
        }
        catch (GroupQueryException ex)
        {
            return Problem.Invalid($"filter: {ex.Message}");
        }

        if (write.Organizations.Distinct(StringComparer.Ordinal).Count() != write.Organizations.Count)
        {
            return Problem.Invalid("organizations: an organization is listed twice.");
        }

        if (!reach.MayPlaceIn(write.Organizations))
        {
            return Problem.Forbidden(OutsideReachMessage);
        }

        if (write.Organizations.Count > 0)
        {
            var unknown = await organizations.UnknownAsync(applicationId, write.Organizations, cancellationToken);
            if (unknown.Count > 0)
            {
                return Problem.Invalid($"organizations: the organization '{unknown[0]}' does not exist.");
            }
        }

        return null;
    }

    private async Task<Outcome<DeviceGroup>> WriteAsync(
        CentrumDbContext db, string applicationId, DeviceGroupEntity entity, DeviceGroupWrite write, bool created, CancellationToken cancellationToken)
    {
        entity.DisplayName = write.DisplayName!;
        entity.Filter = write.Filter!;
        entity.Description = write.Description;
        entity.Organizations = JsonSerializer.Serialize(write.Organizations);
        entity.ETag = NewETag();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The etag changed under us, or two creates of one id and the loser finds the key taken.
            return Problem.Conflict(ConflictMessage);
        }

        Log.Written(logger, applicationId, entity.Id, created);
        return ToModel(entity);
    }

    internal static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static IQueryable<DeviceGroupEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.DeviceGroups.Where(g => g.ApplicationId == applicationId);

    private static Problem NotFound(string groupId) => Problem.NotFound($"Device group '{groupId}' was not found.");

    private static List<string> Organizations(DeviceGroupEntity e) => JsonSerializer.Deserialize<List<string>>(e.Organizations) ?? [];

    private static DeviceGroup ToModel(DeviceGroupEntity e) => new(e.Id, e.DisplayName, e.Filter, e.Description, Organizations(e), e.ETag);

    private static DeviceGroupWrite ToWrite(DeviceGroupEntity e) => new(e.DisplayName, e.Filter, e.Description, Organizations(e));

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
