using System.Security.Cryptography;
using System.Text.Json;
using Centrum.Dashboards.Internal;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Dashboards;

/// <summary>
/// The one way in to dashboards, and the owner of their rules: a valid id, a display name, at most 100 tiles each
/// meeting IoT Central's tile schema (<see cref="TileRules"/>), ETag preconditions, and who sees what. A personal
/// dashboard is its owner's alone: nobody else sees, lists, changes or deletes it, and it belongs to no organization. An
/// application dashboard is seen within the caller's reach, as device groups are: one outside it is not found, and a
/// caller places one only in organizations within its reach.
/// </summary>
/// <remarks>
/// <para>
/// Every method takes the caller (<c>caller</c>: who owns a personal dashboard, the head's name for the member) and the
/// caller's <see cref="OrganizationReach"/> for the application-dashboard permission of the operation (read, create,
/// update, delete). A caller without that permission has an empty reach, so it sees and writes only its personal
/// dashboards: a personal dashboard needs only membership, as in IoT Central.
/// </para>
/// <para>
/// Tiles name device groups and devices by id and are not checked against them: a tile whose group is deleted stays
/// and shows nothing, as IoT Central's tiles do, and a tile shows only what its viewer may read when it is drawn.
/// </para>
/// </remarks>
public sealed class DashboardService(
    IDbContextFactory<CentrumDbContext> contexts,
    IOrganizationCatalog organizations,
    IOptions<DashboardsOptions> options,
    TimeProvider time,
    ILogger<DashboardService> logger)
{
    /// <summary>IoT Central's <c>maxpagesize</c> range (REST API 2022-10-31-preview: 1–100).</summary>
    public const int MaxPageSize = 100;

    /// <summary>IoT Central's <c>dashboardId</c>: at most 128 characters of <c>[a-zA-Z0-9:;]</c> (REST API 2022-10-31-preview swagger).</summary>
    public const int MaxIdLength = 128;

    /// <summary>Characters of a display name: far beyond what IoT Central's examples use, bounding what is stored.</summary>
    public const int MaxDisplayNameLength = 1024;

    /// <summary>Organizations one dashboard names: IoT Central supports one "today" (swagger); a few more leave room, a bound keeps the check cheap.</summary>
    public const int MaxOrganizations = 100;

    private const string ConflictMessage = "The dashboard was changed by another request; read it again and retry.";

    private const string ETagMismatchMessage = "The dashboard's etag does not match; read it again.";

    private const string OutsideReachMessage =
        "An application dashboard must belong to organizations within your reach for this operation; without the dashboards permission, make a personal dashboard.";

    /// <summary>The fields a dashboard list's <c>filter</c> may name; it is ordered by displayName.</summary>
    private static readonly IReadOnlyDictionary<string, ListField<DashboardEntity>> ListFields = new Dictionary<string, ListField<DashboardEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<DashboardEntity>(d => d.Id),
        ["displayName"] = ListField.Text<DashboardEntity>(d => d.DisplayName, orderable: true),
        ["personal"] = ListField.Boolean<DashboardEntity>(d => d.Personal),
        ["favorite"] = ListField.Boolean<DashboardEntity>(d => d.Favorite),
        ["organizations"] = ListField.JsonIdSet<DashboardEntity>(d => d.Organizations),
    };

    private static readonly ListQueryCompiler<DashboardEntity> ListCompiler = new(ListFields);

    /// <summary>
    /// A page of the dashboards the caller sees (its personal ones and the application dashboards within reach),
    /// narrowed and ordered by IoT Central's <c>filter</c> and <c>orderby</c>. An application holds at most
    /// <see cref="DashboardsOptions.MaxDashboardsPerApplication"/>, so reach is applied over the rows read.
    /// </summary>
    public async Task<Outcome<DashboardPage>> ListAsync(
        string applicationId, string caller, ListRequest request, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        try
        {
            var plan = new ListPlan<DashboardEntity>(ListCompiler, d => d.Id, request);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var candidates = Scoped(db, applicationId).AsNoTracking().Where(d => !d.Personal || d.Owner == caller);

            // Reach is judged over the rows without their tiles (up to 1 MiB each); only the page's tiles are read.
            var rows = await plan.Apply(candidates, plan.Cursor)
                .Select(d => new DashboardEntity
                {
                    ApplicationId = d.ApplicationId, Id = d.Id, DisplayName = d.DisplayName, Personal = d.Personal, Owner = d.Owner, Favorite = d.Favorite,
                    Organizations = d.Organizations, ETag = d.ETag, Tiles = "",
                })
                .Take(options.Value.MaxDashboardsPerApplication + 1).ToListAsync(cancellationToken);
            var seen = rows.Where(r => Sees(r, caller, reach)).Take(pageSize + 1).ToList();
            var ids = seen.Take(pageSize).Select(r => r.Id).ToList();
            // Read whole, as they are now: one deleted meanwhile is left out, one changed meanwhile is answered as changed
            // (and, if no longer seen, left out).
            var whole = await Scoped(db, applicationId).AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
            var page = ids.Where(whole.ContainsKey).Select(id => whole[id]).Where(d => Sees(d, caller, reach)).Select(ToModel).ToList();
            return new DashboardPage(page, seen.Count > pageSize ? plan.Encode(plan.CursorOf(seen[pageSize - 1])) : null);
        }
        catch (ListQueryException ex)
        {
            return Problem.Invalid($"The query parameter '{ex.Parameter}' is not valid: {ex.Message}");
        }
    }

    /// <summary>The dashboard as the caller sees it: another member's personal dashboard, or one outside reach, is not found, as one that does not exist.</summary>
    public async Task<Outcome<Dashboard>> GetAsync(string applicationId, string dashboardId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(d => d.Id == dashboardId, cancellationToken);
        return entity is not null && Sees(entity, caller, reach) ? ToModel(entity) : NotFound(dashboardId);
    }

    /// <summary>
    /// Creates the dashboard or replaces it (IoT Central's <c>Dashboards_Create</c>, a PUT). Whether it is personal is
    /// chosen when it is created; a replacement that changes it is refused.
    /// </summary>
    public async Task<Outcome<Dashboard>> CreateAsync(
        string applicationId, string dashboardId, string caller, DashboardWrite write, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(reach);
        if (!IsValidId(dashboardId))
        {
            return Problem.Invalid($"Dashboard id '{TileRules.Shorten(dashboardId)}' is not valid: use 1 to {MaxIdLength} letters, digits, ':' or ';'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == dashboardId, cancellationToken);
        if (entity is not null && !Sees(entity, caller, reach))
        {
            return NotFound(dashboardId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity?.ETag)
        {
            return Problem.PreconditionFailed(ETagMismatchMessage);
        }

        if (entity is not null && entity.Personal != write.Personal)
        {
            return Problem.Invalid("personal is chosen when the dashboard is created and cannot change.");
        }

        if (await RefuseAsync(applicationId, write, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (entity is null)
        {
            if (await Scoped(db, applicationId).CountAsync(cancellationToken) >= options.Value.MaxDashboardsPerApplication)
            {
                return new Problem(ProblemKind.LimitReached, "LimitReached", $"An application holds at most {options.Value.MaxDashboardsPerApplication} dashboards.");
            }

            entity = new DashboardEntity
            {
                ApplicationId = applicationId, Id = dashboardId, DisplayName = "", ETag = "", CreatedAt = time.GetUtcNow(),
                Personal = write.Personal, Owner = write.Personal ? caller : null,
            };
            db.Dashboards.Add(entity);
        }

        return await WriteAsync(db, applicationId, entity, write, created: entity.ETag.Length == 0, cancellationToken);
    }

    /// <summary>
    /// Changes some of the dashboard's fields (IoT Central's <c>Dashboards_Update</c>, a merge PATCH): <paramref name="patch"/>
    /// reads the caller's wire form over the current fields; the result meets the same rules as a create. An
    /// application dashboard must lie within the caller's reach before and after.
    /// </summary>
    public async Task<Outcome<Dashboard>> UpdateAsync(
        string applicationId, string dashboardId, string caller, Func<DashboardWrite, Outcome<DashboardWrite>> patch, string? ifMatch, OrganizationReach reach,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == dashboardId, cancellationToken);
        if (entity is null || !Sees(entity, caller, reach))
        {
            return NotFound(dashboardId);
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

        if (patched.Value.Personal != entity.Personal)
        {
            return Problem.Invalid("personal is chosen when the dashboard is created and cannot change.");
        }

        return await RefuseAsync(applicationId, patched.Value, reach, cancellationToken)
            ?? await WriteAsync(db, applicationId, entity, patched.Value, created: false, cancellationToken);
    }

    /// <summary>Deletes the dashboard. Answers it as it was.</summary>
    public async Task<Outcome<Dashboard>> DeleteAsync(string applicationId, string dashboardId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(d => d.Id == dashboardId, cancellationToken);
        if (entity is null || !Sees(entity, caller, reach))
        {
            return NotFound(dashboardId);
        }

        // Deleted only as read: a dashboard replaced meanwhile (another etag) is not deleted on the strength of the old one.
        if (await Scoped(db, applicationId).Where(d => d.Id == dashboardId && d.ETag == entity.ETag).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return Problem.Conflict(ConflictMessage);
        }

        Log.Deleted(logger, applicationId, dashboardId);
        return ToModel(entity);
    }

    /// <summary>The rules every write meets before anything is stored.</summary>
    private async Task<Problem?> RefuseAsync(string applicationId, DashboardWrite write, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(write.DisplayName))
        {
            return Problem.Invalid("displayName is required.");
        }

        if (write.DisplayName.Length > MaxDisplayNameLength)
        {
            return Problem.Invalid($"displayName takes at most {MaxDisplayNameLength} characters.");
        }

        if (write.Tiles.Count > TileRules.MaxTiles)
        {
            return Problem.Invalid($"tiles holds at most {TileRules.MaxTiles} tiles.");
        }

        try
        {
            for (var i = 0; i < write.Tiles.Count; i++)
            {
                TileRules.Check(write.Tiles[i], $"tiles[{i}]");
            }
        }
        catch (DashboardFormatException ex)
        {
            return Problem.Invalid(ex.Message);
        }

        if (write.Tiles.Where(t => t.Id.Length > 0).GroupBy(t => t.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return Problem.Invalid($"tiles: the tile id '{twice.Key}' is given twice.");
        }

        if (write.Organizations.Count > MaxOrganizations)
        {
            return Problem.Invalid($"organizations holds at most {MaxOrganizations} organizations.");
        }

        if (write.Organizations.Distinct(StringComparer.Ordinal).Count() != write.Organizations.Count)
        {
            return Problem.Invalid("organizations: an organization is listed twice.");
        }

        if (write.Personal)
        {
            // IoT Central's Dashboard.organizations: "If not present, the dashboard is root-level or personal."
            return write.Organizations.Count > 0 ? Problem.Invalid("organizations: a personal dashboard belongs to no organization.") : null;
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

    private async Task<Outcome<Dashboard>> WriteAsync(
        CentrumDbContext db, string applicationId, DashboardEntity entity, DashboardWrite write, bool created, CancellationToken cancellationToken)
    {
        var tiles = write.Tiles.Select(t => t.Id.Length > 0 ? t : t with { Id = NewTileId() }).ToList();
        var text = TileJson.ToJson(tiles).ToJsonString();
        if (text.Length > TileJson.MaxBytes)
        {
            return Problem.TooLarge($"The dashboard's tiles are larger than {TileJson.MaxBytes} bytes.");
        }

        entity.DisplayName = write.DisplayName!;
        entity.Tiles = text;
        entity.Favorite = write.Favorite;
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

        Log.Written(logger, applicationId, entity.Id, created, entity.Personal);
        return ToModel(entity);
    }

    /// <summary>A personal dashboard is its owner's alone; an application dashboard is seen within reach.</summary>
    private static bool Sees(DashboardEntity entity, string caller, OrganizationReach reach) =>
        entity.Personal ? entity.Owner == caller : reach.Reaches(Organizations(entity));

    internal static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or ';');

    private static IQueryable<DashboardEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.Dashboards.Where(d => d.ApplicationId == applicationId);

    private static Problem NotFound(string dashboardId) => Problem.NotFound($"Dashboard '{TileRules.Shorten(dashboardId)}' was not found.");

    private static List<string> Organizations(DashboardEntity e) => JsonSerializer.Deserialize<List<string>>(e.Organizations) ?? [];

    private static Dashboard ToModel(DashboardEntity e) =>
        new(e.Id, e.DisplayName, TileJson.Parse(e.Tiles), e.Personal, e.Favorite, Organizations(e), e.ETag);

    private static DashboardWrite ToWrite(DashboardEntity e) => new(e.DisplayName, TileJson.Parse(e.Tiles), e.Personal, e.Favorite, Organizations(e));

    private static string NewTileId() => Guid.NewGuid().ToString("N");

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
