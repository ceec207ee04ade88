using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Centrum.Dashboards.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Dashboards;

/// <summary>
/// The one way in to saved data-explorer queries, and the owner of their rules: a display name, a definition the
/// explorer can run (a template, one to <see cref="MaxFields"/> telemetry fields each with an aggregation, a window
/// and a relative or absolute time range), the per-application and per-member bounds, ETags, and who sees what.
/// </summary>
/// <remarks>
/// <para>
/// Scope and permissions are those of dashboards, since a saved query is what a <c>dataExplorer</c> tile shows and is
/// shared as the dashboards that pin it are: a personal query needs only membership and is its owner's alone; an
/// application query is read, created, renamed or changed, and deleted with the caller's reach for the application dashboards
/// permission of the operation (read, create, update, delete), and lies in organizations as an application dashboard
/// does. IoT Central's role editor has no separate permission for explorer queries, so none is invented here.
/// </para>
/// <para>
/// A query names its template, group and telemetry by id and is not checked against them: one whose template changes
/// or whose group is deleted stays and answers what the query service answers for it when it runs, with the runner's
/// reach.
/// </para>
/// </remarks>
public sealed partial class SavedQueryService(
    IDbContextFactory<CentrumDbContext> contexts,
    IOrganizationCatalog organizations,
    IOptions<DashboardsOptions> options,
    TimeProvider time,
    ILogger<SavedQueryService> logger)
{
    /// <summary>Characters of a display name: the same bound as a dashboard's.</summary>
    public const int MaxDisplayNameLength = DashboardService.MaxDisplayNameLength;

    /// <summary>Telemetry fields one query selects: a template's telemetry in IoT Central's editor stays within 100 capabilities, as a tile's do.</summary>
    public const int MaxFields = 100;

    /// <summary>Characters of a template id (a DTMI is at most 2048 characters, DTDL v3 "Digital Twin Model Identifier").</summary>
    public const int MaxTemplateIdLength = 2048;

    /// <summary>Characters of a group id: the same bound as the names a tile holds.</summary>
    public const int MaxGroupIdLength = 1024;

    /// <summary>Characters of a component or telemetry name (DTDL v3: a name is at most 512 characters).</summary>
    public const int MaxNameLength = 512;

    /// <summary>A TOP bound worth storing; the query service caps the rows again with its own limit when the query runs.</summary>
    public const int MaxTop = 1_000_000;

    /// <summary>Organizations one application query names: the same bound as a dashboard's.</summary>
    public const int MaxOrganizations = DashboardService.MaxOrganizations;

    /// <summary>The aggregations a field takes: the query language's (IoT Central "query devices": AVG, SUM, MIN, MAX, COUNT), or none for the values themselves.</summary>
    public static IReadOnlyList<string> Aggregates { get; } = ["none", "avg", "sum", "min", "max", "count"];

    /// <summary>The group-by windows: the steps IoT Central's data explorer offers.</summary>
    public static IReadOnlyList<string> Windows { get; } = ["PT1M", "PT5M", "PT10M", "PT30M", "PT1H", "PT12H", "P1D"];

    /// <summary>The relative time ranges: the explorer's (last hour, day, 7 days, 30 days) and the other durations a tile's range offers.</summary>
    public static IReadOnlyList<string> Durations { get; } = ["PT30M", "PT1H", "PT12H", "P1D", "P7D", "P30D"];

    private const string ConflictMessage = "The saved query was changed by another request; read it again and retry.";

    private const string OutsideReachMessage =
        "An application query must belong to organizations within your reach for this operation; without the dashboards permission, save a personal query.";

    /// <summary>A DTDL name (DTDL v3 "name": a letter, then letters, digits and underscores, not ending in an underscore).</summary>
    [GeneratedRegex("^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DtdlName();

    /// <summary>A template id as the query language's FROM takes it: a DTMI's characters (DTDL v3), nothing that ends or quotes the name.</summary>
    [GeneratedRegex("^[A-Za-z0-9:;._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateId();

    /// <summary>The caller's personal queries, then the application queries within reach, each by display name.</summary>
    public async Task<IReadOnlyList<SavedQuery>> ListAsync(string applicationId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Scoped(db, applicationId).AsNoTracking().Where(q => !q.Personal || q.Owner == caller)
            .Take(options.Value.MaxSavedQueriesPerApplication).ToListAsync(cancellationToken);
        return rows.Where(r => Sees(r, caller, reach))
            .OrderByDescending(r => r.Personal).ThenBy(r => r.DisplayName, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(ToModel).ToList();
    }

    /// <summary>The query as the caller sees it: another member's personal query, or one outside reach, is not found, as one that does not exist.</summary>
    public async Task<Outcome<SavedQuery>> GetAsync(string applicationId, string queryId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(q => q.Id == queryId, cancellationToken);
        return entity is not null && Sees(entity, caller, reach) ? ToModel(entity) : NotFound(queryId);
    }

    /// <summary>Saves a new query under an id the area assigns; <paramref name="reach"/> is the caller's for creating application dashboards.</summary>
    public async Task<Outcome<SavedQuery>> CreateAsync(string applicationId, string caller, SavedQueryWrite write, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(reach);
        if (Refuse(write) is { } invalid)
        {
            return invalid;
        }

        if (write.Personal)
        {
            if (write.Organizations.Count > 0)
            {
                return Problem.Invalid("organizations: a personal query belongs to no organization.");
            }
        }
        else if (await RefusePlacementAsync(applicationId, write.Organizations, reach, cancellationToken) is { } refused)
        {
            return refused;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await Scoped(db, applicationId).CountAsync(cancellationToken) >= options.Value.MaxSavedQueriesPerApplication)
        {
            return new Problem(ProblemKind.LimitReached, "LimitReached", $"An application holds at most {options.Value.MaxSavedQueriesPerApplication} saved queries.");
        }

        if (write.Personal && await Scoped(db, applicationId).CountAsync(q => q.Personal && q.Owner == caller, cancellationToken) >= options.Value.MaxSavedQueriesPerMember)
        {
            return new Problem(ProblemKind.LimitReached, "LimitReached", $"A member keeps at most {options.Value.MaxSavedQueriesPerMember} personal saved queries.");
        }

        var entity = new SavedQueryEntity
        {
            ApplicationId = applicationId, Id = Guid.NewGuid().ToString("N"), DisplayName = write.DisplayName!.Trim(), Personal = write.Personal,
            Owner = write.Personal ? caller : null, Definition = JsonSerializer.Serialize(Normalized(write.Query!)),
            Organizations = JsonSerializer.Serialize(write.Organizations), ETag = NewETag(), CreatedAt = time.GetUtcNow(),
        };
        db.SavedQueries.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        Log.SavedQueryWritten(logger, applicationId, entity.Id, created: true, entity.Personal);
        return ToModel(entity);
    }

    /// <summary>Renames the query, guarded by its etag when one is given; <paramref name="reach"/> is the caller's for updating application dashboards.</summary>
    public async Task<Outcome<SavedQuery>> RenameAsync(
        string applicationId, string queryId, string caller, string? displayName, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        if (RefuseName(displayName) is { } invalid)
        {
            return invalid;
        }

        return await ChangeAsync(applicationId, queryId, caller, ifMatch, reach, entity => entity.DisplayName = displayName!.Trim(), cancellationToken);
    }

    /// <summary>
    /// Replaces the query's definition in place (its id, name, scope and organizations stay, so the tiles that name it
    /// show the new one), guarded by its etag when one is given: a query changed since the caller read it is refused
    /// as a failed precondition rather than overwritten. <paramref name="reach"/> is the caller's for updating
    /// application dashboards.
    /// </summary>
    public async Task<Outcome<SavedQuery>> UpdateAsync(
        string applicationId, string queryId, string caller, SavedQueryDefinition? query, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        if (RefuseQuery(query) is { } invalid)
        {
            return invalid;
        }

        return await ChangeAsync(applicationId, queryId, caller, ifMatch, reach, entity => entity.Definition = JsonSerializer.Serialize(Normalized(query!)), cancellationToken);
    }

    /// <summary>Changes a query the caller sees, guarded by its etag when one is given, and gives it a new etag.</summary>
    private async Task<Outcome<SavedQuery>> ChangeAsync(
        string applicationId, string queryId, string caller, string? ifMatch, OrganizationReach reach, Action<SavedQueryEntity> change, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(q => q.Id == queryId, cancellationToken);
        if (entity is null || !Sees(entity, caller, reach))
        {
            return NotFound(queryId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return Problem.PreconditionFailed("The saved query's etag does not match; read it again.");
        }

        change(entity);
        entity.ETag = NewETag();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict(ConflictMessage);
        }

        Log.SavedQueryWritten(logger, applicationId, entity.Id, created: false, entity.Personal);
        return ToModel(entity);
    }

    /// <summary>Deletes the query; tiles that name it stay and show that it is gone. <paramref name="reach"/> is the caller's for deleting application dashboards.</summary>
    public async Task<Outcome<SavedQuery>> DeleteAsync(string applicationId, string queryId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reach);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(q => q.Id == queryId, cancellationToken);
        if (entity is null || !Sees(entity, caller, reach))
        {
            return NotFound(queryId);
        }

        // Deleted only as read: one renamed meanwhile (another etag) is not deleted on the strength of the old read.
        if (await Scoped(db, applicationId).Where(q => q.Id == queryId && q.ETag == entity.ETag).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return Problem.Conflict(ConflictMessage);
        }

        Log.SavedQueryDeleted(logger, applicationId, queryId);
        return ToModel(entity);
    }

    /// <summary>The rules of a written query, each refusal naming the member it is about.</summary>
    private static Problem? Refuse(SavedQueryWrite write)
    {
        if (RefuseName(write.DisplayName) is { } name)
        {
            return name;
        }

        if (write.Organizations.Count > MaxOrganizations)
        {
            return Problem.Invalid($"organizations holds at most {MaxOrganizations} organizations.");
        }

        if (write.Organizations.Distinct(StringComparer.Ordinal).Count() != write.Organizations.Count)
        {
            return Problem.Invalid("organizations: an organization is listed twice.");
        }

        return RefuseQuery(write.Query);
    }

    /// <summary>The rules of a query's definition, each refusal naming the member it is about.</summary>
    private static Problem? RefuseQuery(SavedQueryDefinition? definition)
    {
        if (definition is not { } query)
        {
            return Problem.Invalid("query is required.");
        }

        if (string.IsNullOrEmpty(query.Template) || query.Template.Length > MaxTemplateIdLength || !TemplateId().IsMatch(query.Template))
        {
            return Problem.Invalid($"query.template must be a device template id of 1 to {MaxTemplateIdLength} letters, digits, ':', ';', '.', '_' or '-'.");
        }

        if (query.Group is not null && (query.Group.Length is 0 or > MaxGroupIdLength || query.Group.Any(char.IsControl)))
        {
            return Problem.Invalid($"query.group must be a device group id of 1 to {MaxGroupIdLength} characters, or absent.");
        }

        if (query.Fields is not { Count: > 0 } fields || fields.Count > MaxFields)
        {
            return Problem.Invalid($"query.fields must hold 1 to {MaxFields} telemetry fields.");
        }

        var seen = new HashSet<(string?, string)>();
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (field is null)
            {
                return Problem.Invalid($"query.fields[{i}] is required.");
            }

            if (field.Component is not null && !IsName(field.Component))
            {
                return Problem.Invalid($"query.fields[{i}].component must be a DTDL name of at most {MaxNameLength} characters, or absent.");
            }

            if (field.Name is null || !IsName(field.Name))
            {
                return Problem.Invalid($"query.fields[{i}].name must be a DTDL name of at most {MaxNameLength} characters.");
            }

            if (field.Aggregate is null || !Aggregates.Contains(field.Aggregate))
            {
                return Problem.Invalid($"query.fields[{i}].aggregate must be one of {string.Join(", ", Aggregates)}.");
            }

            if (!seen.Add((field.Component, field.Name)))
            {
                return Problem.Invalid($"query.fields[{i}] names a field already selected.");
            }
        }

        if (query.Window is not null && !Windows.Contains(query.Window))
        {
            return Problem.Invalid($"query.window must be one of {string.Join(", ", Windows)}, or absent.");
        }

        if (query.Duration is not null)
        {
            if (!Durations.Contains(query.Duration))
            {
                return Problem.Invalid($"query.duration must be one of {string.Join(", ", Durations)}.");
            }

            if (query.From is not null || query.To is not null)
            {
                return Problem.Invalid("query: give a duration or from and to, not both.");
            }
        }
        else if (query.From is not { } from || query.To is not { } to)
        {
            return Problem.Invalid("query: give a duration, or both from and to.");
        }
        else if (from >= to)
        {
            return Problem.Invalid("query.to must be later than query.from.");
        }

        return query.Top is < 1 or > MaxTop ? Problem.Invalid($"query.top must be between 1 and {MaxTop}, or absent.") : null;
    }

    private static Problem? RefuseName(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            return Problem.Invalid("displayName is required.");
        }

        return displayName.Length > MaxDisplayNameLength ? Problem.Invalid($"displayName takes at most {MaxDisplayNameLength} characters.") : null;
    }

    private async Task<Problem?> RefusePlacementAsync(string applicationId, IReadOnlyList<string> owners, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.MayPlaceIn(owners))
        {
            return Problem.Forbidden(OutsideReachMessage);
        }

        if (owners.Count > 0)
        {
            var unknown = await organizations.UnknownAsync(applicationId, owners, cancellationToken);
            if (unknown.Count > 0)
            {
                return Problem.Invalid($"organizations: the organization '{unknown[0]}' does not exist.");
            }
        }

        return null;
    }

    private static bool IsName(string name) => name.Length <= MaxNameLength && DtdlName().IsMatch(name);

    /// <summary>Times are kept in UTC, so a saved query reads back the same whatever offset it was written with.</summary>
    private static SavedQueryDefinition Normalized(SavedQueryDefinition query) =>
        query with { From = query.From?.ToUniversalTime(), To = query.To?.ToUniversalTime(), Fields = [.. query.Fields!] };

    /// <summary>A personal query is its owner's alone; an application query is seen within reach.</summary>
    private static bool Sees(SavedQueryEntity entity, string caller, OrganizationReach reach) =>
        entity.Personal ? entity.Owner == caller : reach.Reaches(OrganizationsOf(entity));

    private static IQueryable<SavedQueryEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.SavedQueries.Where(q => q.ApplicationId == applicationId);

    private static Problem NotFound(string queryId) => Problem.NotFound($"Saved query '{TileRules.Shorten(queryId)}' was not found.");

    private static List<string> OrganizationsOf(SavedQueryEntity e) => JsonSerializer.Deserialize<List<string>>(e.Organizations) ?? [];

    private static SavedQuery ToModel(SavedQueryEntity e) =>
        new(e.Id, e.DisplayName, JsonSerializer.Deserialize<SavedQueryDefinition>(e.Definition)!, e.Personal, OrganizationsOf(e), e.ETag);

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
