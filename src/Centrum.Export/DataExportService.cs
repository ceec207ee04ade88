using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Centrum.Export.Destinations;
using Centrum.Export.Filters;
using Centrum.Export.Jq;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Centrum.Export;

/// <summary>
/// The one way in to export and destination definitions: checks them whole (members, source, filter, enrichments,
/// transforms, references), stores them (destinations encrypted), and tells the runner what changed.
/// </summary>
public sealed partial class DataExportService(
    IDbContextFactory<CentrumDbContext> contexts,
    ISecretProtector secrets,
    DestinationTypes types,
    Telemetry.TelemetryQueries telemetry,
    IOptions<ExportOptions> options,
    ITemplateCatalog templates,
    TimeProvider time)
{
    private readonly Internal.SourceReader _reader = new(contexts, telemetry);

    public const int MaxPageSize = 100;

    /// <summary>What REST shows in place of a secret (as IoT Central does).</summary>
    public const string Mask = "*****";

    /// <summary>System properties an enrichment may name (IoT Central's list, plus <c>$id</c>).</summary>
    public static readonly IReadOnlyList<string> SystemProperties =
        ["$id", "$displayName", "$templateId", "$templateDisplayName", "$enabled", "$provisioned", "$simulated", "$organizations"];

    private static readonly Problem ExportETagMismatch = Problem.PreconditionFailed("The export's etag does not match; read it again.");

    private static readonly Problem DestinationETagMismatch = Problem.PreconditionFailed("The destination's etag does not match; read it again.");

    private static readonly string[] ReadOnlyMembers = ["id", "status", "errors", "lastExportTime", "etag", "metrics"];

    /// <summary>Raised after a definition of the application changed; the runner restarts what it affects.</summary>
    public event Action<string>? Changed;

    /// <summary>Something outside the definitions changed what an application's exports should do (the application was deleted).</summary>
    public void NotifyChanged(string applicationId) => Changed?.Invoke(applicationId);

    public async Task<ExportDefinition?> GetExportAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.DataExports.AsNoTracking().FirstOrDefaultAsync(e => e.ApplicationId == applicationId && e.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    public async Task<(IReadOnlyList<ExportDefinition> Page, string? ContinueAfter)> ListExportsAsync(
        string applicationId, string? after, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.DataExports.AsNoTracking().Where(e => e.ApplicationId == applicationId);
        if (after is not null)
        {
            query = query.Where(e => string.Compare(e.Id, after) > 0);
        }

        var rows = await query.OrderBy(e => e.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(ToModel).ToList();
        return (page, rows.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>Every export of every application (the runner's start-up read).</summary>
    public async Task<IReadOnlyList<(string ApplicationId, ExportDefinition Export)>> AllExportsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.DataExports.AsNoTracking().ToListAsync(cancellationToken);
        return rows.Select(e => (e.ApplicationId, ToModel(e))).ToList();
    }

    public async Task<IReadOnlyList<ExportDefinition>> ExportsOfApplicationAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.DataExports.AsNoTracking().Where(e => e.ApplicationId == applicationId).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    /// <summary>Creates or replaces an export from its REST body.</summary>
    public async Task<Outcome<ExportDefinition>> SaveExportAsync(
        string applicationId, string id, JsonNode? body, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return Problem.Invalid("Export ids have 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        if (ReadExport(body) is { } invalid)
        {
            return Problem.Invalid(invalid);
        }

        var obj = (JsonObject)body!;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var references = ((JsonArray)obj["destinations"]!).Select(d => new DestinationReference((string)d!["id"]!, (string?)d["transform"])).ToList();
        foreach (var reference in references)
        {
            if (!await db.DataExportDestinations.AnyAsync(d => d.ApplicationId == applicationId && d.Id == reference.Id, cancellationToken))
            {
                return Problem.Invalid($"destinations: the destination '{reference.Id}' does not exist.");
            }
        }

        var filter = (string?)obj["filter"];
        if (filter is not null)
        {
            foreach (var source in ExportFilter.Parse(filter).Sources)
            {
                if (!await templates.ExistsAsync(applicationId, source.TemplateId, cancellationToken))
                {
                    return Problem.Invalid($"filter: the device template '{source.TemplateId}' does not exist.");
                }
            }
        }

        var entity = await db.DataExports.FirstOrDefaultAsync(e => e.ApplicationId == applicationId && e.Id == id, cancellationToken);
        if (entity is null)
        {
            if (ifMatch is not null && ifMatch != "*")
            {
                return ExportETagMismatch;
            }

            if (await db.DataExports.CountAsync(e => e.ApplicationId == applicationId, cancellationToken) >= options.Value.MaxExports)
            {
                return Problem.Conflict($"The application has {options.Value.MaxExports} exports, the most it may have.");
            }

            entity = new DataExportEntity
            {
                ApplicationId = applicationId,
                Id = id,
                DisplayName = "",
                Source = "",
                Destinations = "[]",
                Start = "now",
                ETag = "",
                CreatedAt = time.GetUtcNow(),
            };
            db.DataExports.Add(entity);
        }
        else if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return ExportETagMismatch;
        }

        if (entity.Source != (string)obj["source"]!)
        {
            // Positions of one source mean nothing in another's log: a changed source starts over from its start point.
            await db.ExportCursors.Where(c => c.ApplicationId == applicationId && c.ExportId == id).ExecuteDeleteAsync(cancellationToken);
        }
        else
        {
            var kept = references.Select(r => r.Id).ToList();
            await db.ExportCursors.Where(c => c.ApplicationId == applicationId && c.ExportId == id && !kept.Contains(c.DestinationId)).ExecuteDeleteAsync(cancellationToken);
        }

        entity.DisplayName = (string)obj["displayName"]!;
        entity.Enabled = (bool)obj["enabled"]!;
        entity.Source = (string)obj["source"]!;
        entity.Filter = filter;
        entity.Enrichments = obj["enrichments"] is JsonObject enrichments ? enrichments.ToJsonString() : null;
        entity.Destinations = JsonSerializer.Serialize(references.Select(r => new { id = r.Id, transform = r.Transform }));
        entity.Start = (string?)obj["start"] ?? entity.Start;
        entity.ETag = NewETag();

        // A new delivery's start point is fixed now, not when its pipeline first runs: "now" means the moment of the
        // request, so nothing sent after a successful PUT is missed.
        var existing = await db.ExportCursors.Where(c => c.ApplicationId == applicationId && c.ExportId == id).Select(c => c.DestinationId).ToListAsync(cancellationToken);
        foreach (var reference in references.Where(r => !existing.Contains(r.Id)))
        {
            db.ExportCursors.Add(new ExportCursorEntity
            {
                ApplicationId = applicationId,
                ExportId = id,
                DestinationId = reference.Id,
                Source = entity.Source,
                Position = await _reader.StartPositionAsync(applicationId, entity.Source, entity.Start, cancellationToken),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke(applicationId);
        return ToModel(entity);
    }

    /// <summary>Deletes an export and its delivery positions; answers the export deleted.</summary>
    public async Task<Outcome<ExportDefinition>> DeleteExportAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        if (await GetExportAsync(applicationId, id, cancellationToken) is not { } existing)
        {
            return ExportNotFound(id);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ExportCursors.Where(c => c.ApplicationId == applicationId && c.ExportId == id).ExecuteDeleteAsync(cancellationToken);
        if (await db.DataExports.Where(e => e.ApplicationId == applicationId && e.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return ExportNotFound(id);
        }

        Changed?.Invoke(applicationId);
        return existing;
    }

    /// <summary>
    /// How many entries of its source's log an export has still to deliver, summed over its destinations: the log's
    /// newest position less each delivery's persisted cursor, read now. The status board's figure is published by the
    /// pipeline between batches, so it stands still while a destination refuses every batch; this one keeps growing.
    /// Event-log sources count the log's positions, which other sources' events share, so it is an upper bound there.
    /// </summary>
    public async Task<long> BacklogAsync(string applicationId, ExportDefinition export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var positions = await db.ExportCursors.AsNoTracking()
            .Where(c => c.ApplicationId == applicationId && c.ExportId == export.Id && c.Source == export.Source)
            .Select(c => c.Position).ToListAsync(cancellationToken);
        if (positions.Count == 0)
        {
            return 0;
        }

        var (newest, _) = await _reader.RangeAsync(applicationId, export.Source, cancellationToken);
        return positions.Sum(position => Math.Max(0, newest - position));
    }

    public static Problem ExportNotFound(string id) => Problem.NotFound($"The export '{id}' was not found.");

    public static Problem DestinationNotFound(string id) => Problem.NotFound($"The destination '{id}' was not found.");

    public async Task<DestinationDefinition?> GetDestinationAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.DataExportDestinations.AsNoTracking().FirstOrDefaultAsync(d => d.ApplicationId == applicationId && d.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    public async Task<(IReadOnlyList<DestinationDefinition> Page, string? ContinueAfter)> ListDestinationsAsync(
        string applicationId, string? after, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.DataExportDestinations.AsNoTracking().Where(d => d.ApplicationId == applicationId);
        if (after is not null)
        {
            query = query.Where(d => string.Compare(d.Id, after) > 0);
        }

        var rows = await query.OrderBy(d => d.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(ToModel).ToList();
        return (page, rows.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>Creates or replaces a destination from its REST body (checked by its type).</summary>
    public async Task<Outcome<DestinationDefinition>> SaveDestinationAsync(
        string applicationId, string id, JsonNode? body, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return Problem.Invalid("Destination ids have 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        if (body is not JsonObject obj)
        {
            return Problem.Invalid("The body must be a JSON object.");
        }

        var definition = (JsonObject)obj.DeepClone();
        foreach (var member in ReadOnlyMembers)
        {
            definition.Remove(member);
        }

        if (definition["displayName"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || ((string)name!).Length is 0 or > 200)
        {
            return Problem.Invalid("displayName: a string of 1 to 200 characters is required.");
        }

        if (definition["type"] is not JsonValue typeValue || typeValue.GetValueKind() != JsonValueKind.String)
        {
            return Problem.Invalid($"type: required, one of {string.Join(", ", types.Supported)}.");
        }

        var type = types.Find((string)typeValue!);
        if (type is null)
        {
            return Problem.Invalid($"type: '{(string)typeValue!}' is not supported; use one of {string.Join(", ", types.Supported)}.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.DataExportDestinations.FirstOrDefaultAsync(d => d.ApplicationId == applicationId && d.Id == id, cancellationToken);
        if (entity is not null && entity.Type == type.Type)
        {
            // A client that read the destination saw its secrets masked; sending the mask back keeps the stored secret.
            if (KeepMaskedSecrets(type, definition, (JsonObject)JsonNode.Parse(secrets.Unprotect(entity.DefinitionProtected))!) is { } refusal)
            {
                return Problem.Invalid(refusal);
            }
        }

        if (type.Validate(definition) is { } invalid)
        {
            return Problem.Invalid(invalid);
        }

        if (entity is null)
        {
            if (ifMatch is not null && ifMatch != "*")
            {
                return DestinationETagMismatch;
            }

            if (await db.DataExportDestinations.CountAsync(d => d.ApplicationId == applicationId, cancellationToken) >= options.Value.MaxDestinations)
            {
                return Problem.Conflict($"The application has {options.Value.MaxDestinations} destinations, the most it may have.");
            }

            entity = new DataExportDestinationEntity
            {
                ApplicationId = applicationId,
                Id = id,
                DisplayName = "",
                Type = "",
                DefinitionProtected = "",
                ETag = "",
                CreatedAt = time.GetUtcNow(),
            };
            db.DataExportDestinations.Add(entity);
        }
        else if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return DestinationETagMismatch;
        }
        else if (entity.Type != type.Type)
        {
            return Problem.Invalid($"type: a destination's type cannot change (it is {entity.Type}).");
        }

        entity.DisplayName = (string)name!;
        entity.Type = type.Type;
        entity.DefinitionProtected = secrets.Protect(definition.ToJsonString());
        entity.ETag = NewETag();

        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke(applicationId);
        return ToModel(entity);
    }

    /// <summary>Deletes a destination no export uses (a conflict otherwise, naming them); answers the destination deleted.</summary>
    public async Task<Outcome<DestinationDefinition>> DeleteDestinationAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = (await ExportsOfApplicationAsync(applicationId, cancellationToken)).Where(e => e.Destinations.Any(d => d.Id == id)).Select(e => e.Id).ToList();
        if (users.Count > 0)
        {
            return Problem.Conflict($"Exports send to this destination: {string.Join(", ", users)}. Remove it from them first.");
        }

        var existing = await GetDestinationAsync(applicationId, id, cancellationToken);
        if (existing is null || await db.DataExportDestinations.Where(d => d.ApplicationId == applicationId && d.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return DestinationNotFound(id);
        }

        return existing;
    }

    /// <summary>
    /// Replaces each <see cref="Mask"/> in <paramref name="definition"/> that stands where GET showed a stored secret by
    /// that secret. Refused, naming the member: a masked secret whose destination now points elsewhere (its
    /// <see cref="IDestinationType.Targets"/> changed), and one the new definition would show (a header customization
    /// sent back masked with <c>"secret": false</c>). A mask anywhere else is a value like any other.
    /// </summary>
    private static string? KeepMaskedSecrets(IDestinationType type, JsonObject definition, JsonObject stored)
    {
        var restored = new List<string[]>();
        Restore(definition, type.Redact(stored), stored, [], restored);
        if (restored.Count == 0)
        {
            return null;
        }

        var secret = string.Join(", ", restored.Select(p => string.Join('.', p)));
        if (type.Targets.FirstOrDefault(t => !JsonNode.DeepEquals(At(definition, t), At(stored, t))) is { } moved)
        {
            return $"{secret}: a masked secret is kept only while {string.Join('.', moved)} is unchanged; send the secret itself with the new {string.Join('.', moved)}.";
        }

        var shown = type.Redact(definition);
        if (restored.FirstOrDefault(p => !IsMask(At(shown, p))) is { } revealed)
        {
            return $"{string.Join('.', revealed)}: a secret sent back masked stays secret; to make it visible, send its value.";
        }

        return null;

        static void Restore(JsonObject definition, JsonObject storedShown, JsonObject stored, List<string> path, List<string[]> restored)
        {
            foreach (var (name, value) in definition.ToList())
            {
                if (IsMask(value) && IsMask(storedShown[name]) && stored[name] is { } original)
                {
                    definition[name] = original.DeepClone();
                    restored.Add([.. path, name]);
                }
                else if (value is JsonObject inner && storedShown[name] is JsonObject innerShown && stored[name] is JsonObject innerStored)
                {
                    Restore(inner, innerShown, innerStored, [.. path, name], restored);
                }
            }
        }
    }

    private static bool IsMask(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String && (string)v! == Mask;

    private static JsonNode? At(JsonObject definition, string[] path)
    {
        JsonNode? node = definition;
        foreach (var name in path)
        {
            node = (node as JsonObject)?[name];
        }

        return node;
    }

    /// <summary>The definition as REST shows it: secrets masked by its type.</summary>
    public JsonObject Redacted(DestinationDefinition destination) =>
        types.Find(destination.Type)?.Redact(destination.Definition) ?? new JsonObject { ["displayName"] = destination.DisplayName, ["type"] = destination.Type };

    /// <summary>An export body checked whole; null when valid, otherwise the member at fault and why.</summary>
    internal string? ReadExport(JsonNode? body)
    {
        if (body is not JsonObject obj)
        {
            return "The body must be a JSON object.";
        }

        string[] members = ["displayName", "enabled", "source", "filter", "enrichments", "destinations", "start", .. ReadOnlyMembers];
        if (obj.Select(p => p.Key).FirstOrDefault(k => !members.Contains(k)) is { } unknown)
        {
            return $"'{unknown}' is not a member of an export.";
        }

        if (obj["displayName"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || ((string)name!).Length is 0 or > 200)
        {
            return "displayName: a string of 1 to 200 characters is required.";
        }

        if (obj["enabled"] is not JsonValue enabled || enabled.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "enabled: true or false is required.";
        }

        if (obj["source"] is not JsonValue source || source.GetValueKind() != JsonValueKind.String || !ExportSources.All.Contains((string)source!))
        {
            return $"source: required, one of {string.Join(", ", ExportSources.All)}.";
        }

        if (obj["filter"] is { } filter)
        {
            if (filter is not JsonValue f || f.GetValueKind() != JsonValueKind.String)
            {
                return "filter: must be a string.";
            }

            try
            {
                ExportFilter.Parse((string)f!);
            }
            catch (ExportFilterException ex)
            {
                return $"filter: {ex.Message}";
            }
        }

        if (obj["enrichments"] is { } enrichments && ReadEnrichments(enrichments) is { } badEnrichment)
        {
            return badEnrichment;
        }

        // An export may send nowhere yet: IoT Central lists one with "destinations": [] (IoT Central REST API
        // 2022-10-31-preview, Destinations_ListExports example) and the API sets no minimum on the array.
        if (obj["destinations"] is not JsonArray destinations)
        {
            return "destinations: an array of {\"id\", \"transform\"} is required.";
        }

        if (destinations.Count > options.Value.MaxDestinationsPerExport)
        {
            return $"destinations: an export sends to at most {options.Value.MaxDestinationsPerExport} destinations.";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < destinations.Count; i++)
        {
            if (destinations[i] is not JsonObject reference || reference["id"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String
                || reference.Any(p => p.Key is not ("id" or "transform")))
            {
                return $"destinations[{i}]: must be {{\"id\": string, \"transform\": string}}.";
            }

            if (!seen.Add((string)id!))
            {
                return $"destinations[{i}]: the destination '{(string)id!}' is listed twice.";
            }

            if (reference["transform"] is { } transform)
            {
                if (transform is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
                {
                    return $"destinations[{i}].transform: must be a string.";
                }

                try
                {
                    JqProgram.Compile((string)t!);
                }
                catch (JqException ex)
                {
                    return $"destinations[{i}].transform: {ex.Message}";
                }
            }
        }

        if (obj["start"] is { } start && (start is not JsonValue s || s.GetValueKind() != JsonValueKind.String || !IsStart((string)s!)))
        {
            return "start: 'now', 'earliest' or an ISO 8601 date and time.";
        }

        return null;
    }

    private static string? ReadEnrichments(JsonNode enrichments)
    {
        if (enrichments is not JsonObject map)
        {
            return "enrichments: must be an object of named enrichments.";
        }

        foreach (var (key, value) in map)
        {
            var at = $"enrichments.{key}";
            if (key.Length is 0 or > 100)
            {
                return "enrichments: names have 1 to 100 characters.";
            }

            if (value is not JsonObject e || e.Any(p => p.Key is not ("value" or "path" or "target")))
            {
                return $"{at}: must be {{\"value\"}}, {{\"path\": \"$systemProperty\"}} or {{\"target\": \"<interface DTMI>\", \"path\": \"<property>\"}}.";
            }

            if (e.ContainsKey("value"))
            {
                if (e.Count != 1)
                {
                    return $"{at}: a static value takes no path or target.";
                }

                continue;
            }

            if (e["path"] is not JsonValue path || path.GetValueKind() != JsonValueKind.String || ((string)path!).Length == 0)
            {
                return $"{at}.path: required.";
            }

            if (e["target"] is null)
            {
                if (!SystemProperties.Contains((string)path!))
                {
                    return $"{at}.path: '{(string)path!}' is not a system property; use one of {string.Join(", ", SystemProperties)}.";
                }
            }
            else if (e["target"] is not JsonValue target || target.GetValueKind() != JsonValueKind.String || ((string)target!).Length == 0)
            {
                return $"{at}.target: must be the DTMI of the interface that declares the property.";
            }
        }

        return null;
    }

    private static bool IsStart(string start) =>
        start is "now" or "earliest" || DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    private static bool IsValidId(string id) => IdRegex().IsMatch(id);

    private static ExportDefinition ToModel(DataExportEntity e) => new(
        e.Id, e.DisplayName, e.Enabled, e.Source, e.Filter,
        e.Enrichments is null ? null : JsonNode.Parse(e.Enrichments) as JsonObject,
        (JsonNode.Parse(e.Destinations) as JsonArray ?? []).Select(d => new DestinationReference((string)d!["id"]!, (string?)d["transform"])).ToList(),
        e.Start, e.ETag);

    private DestinationDefinition ToModel(DataExportDestinationEntity e) =>
        new(e.Id, e.DisplayName, e.Type, (JsonObject)JsonNode.Parse(secrets.Unprotect(e.DefinitionProtected))!, e.ETag);

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex IdRegex();
}
