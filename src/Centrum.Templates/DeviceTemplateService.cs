using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Devices;
using Centrum.Listing;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;
using Centrum.Templates.Dtdl;
using Centrum.Templates.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Templates;

/// <summary>
/// Device templates: a capability model validated as strictly as the DTDL parser does, imported together with the
/// Interfaces earlier templates defined (dependency order) or as one multi-interface document. Nothing of a refused
/// template is stored. A template devices use may only grow: removing or changing what devices send breaks them.
/// </summary>
public sealed class DeviceTemplateService(IDbContextFactory<CentrumDbContext> contexts, IDeviceDirectory devices, DeviceEventLog eventLog, TimeProvider time, ILogger<DeviceTemplateService> logger)
{
    /// <summary>IoT Central templates carry no @context: it is DTDL v2 with IoT Central's extension.</summary>
    private static readonly JsonArray DefaultContext = ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"];

    private readonly ConcurrentDictionary<(string Application, string Id), DeviceTemplate> _cache = new();

    public async Task<DeviceTemplate?> GetAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue((applicationId, id), out var cached))
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.DeviceTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.ApplicationId == applicationId && t.Id == id, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var documents = await DocumentsAsync(db, applicationId, WithDefaultContext(JsonNode.Parse(entity.CapabilityModel)!), entity.Id, cancellationToken);
        var parsed = DtdlParser.Parse(documents);
        if (!parsed.IsValid || !parsed.Interfaces.TryGetValue(entity.ModelId, out var model))
        {
            return null; // Stored models were valid when stored; a dependency deleted since leaves the template unusable.
        }

        var template = ToModel(entity, model, parsed);
        _cache[(applicationId, id)] = template;
        return template;
    }

    public Task<(IReadOnlyList<DeviceTemplate> Templates, string? ContinueAfter)> ListAsync(string applicationId, string? after, int pageSize, CancellationToken cancellationToken) =>
        ListAsync(applicationId, new ListRequest(null, null, after), pageSize, cancellationToken);

    /// <summary>
    /// A page of templates, narrowed by IoT Central's <c>filter</c> and ordered by its <c>orderby</c> (as the caller
    /// wrote them; the fields are <see cref="ListFields"/>), evaluated by the database. Throws
    /// <see cref="ListQueryException"/> naming the option at fault.
    /// </summary>
    public async Task<(IReadOnlyList<DeviceTemplate> Templates, string? ContinueAfter)> ListAsync(string applicationId, ListRequest request, int pageSize, CancellationToken cancellationToken)
    {
        var plan = new ListPlan<DeviceTemplateEntity>(ListCompiler, t => t.Id, request);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await plan.Apply(db.DeviceTemplates.AsNoTracking().Where(t => t.ApplicationId == applicationId), plan.Cursor)
            .Select(t => new DeviceTemplateEntity
            {
                ApplicationId = t.ApplicationId,
                Id = t.Id,
                ModelId = t.ModelId,
                DisplayName = t.DisplayName,
                Types = "",
                CapabilityModel = "",
                Interfaces = "",
                ETag = "",
            })
            .Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = new List<DeviceTemplate>();
        foreach (var row in rows.Take(pageSize))
        {
            if (await GetAsync(applicationId, row.Id, cancellationToken) is { } template)
            {
                page.Add(template);
            }
        }

        return (page, rows.Count > pageSize ? plan.Encode(plan.CursorOf(rows[pageSize - 1])) : null);
    }

    /// <summary>
    /// The fields a template list's <c>filter</c> may name (IoT Central REST API 2022-10-31-preview, "Use ODATA filters"
    /// for device templates: @id, displayName, capabilityModelId) and the one it may be ordered by (displayName).
    /// </summary>
    private static IReadOnlyDictionary<string, ListField<DeviceTemplateEntity>> ListFields { get; } = new Dictionary<string, ListField<DeviceTemplateEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        ["@id"] = ListField.Text<DeviceTemplateEntity>(t => t.Id),
        ["displayName"] = ListField.Text<DeviceTemplateEntity>(t => t.DisplayName, orderable: true),
        ["capabilityModelId"] = ListField.Text<DeviceTemplateEntity>(t => t.ModelId),
    };

    private static readonly ListQueryCompiler<DeviceTemplateEntity> ListCompiler = new(ListFields);

    /// <summary>
    /// Validates and stores a template (IoT Central's PUT). Refusals: <c>BadRequest</c> or <c>InvalidModel</c> (with each
    /// DTDL error's path into <c>capabilityModel</c> as a detail), <c>PreconditionFailed</c> for a stale etag, and
    /// <c>IncompatibleTemplateChange</c> when devices use the template and the change would not only grow it.
    /// </summary>
    public async Task<Outcome<DeviceTemplate>> SaveAsync(
        string applicationId, string id, JsonArray types, string? displayName, string? description, JsonNode capabilityModel, string? ifMatch, CancellationToken cancellationToken)
    {
        using var span = TemplatesTracing.Source.StartActivity("templates.save");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.template_id", id);
        var result = await SaveCoreAsync(applicationId, id, types, displayName, description, capabilityModel, ifMatch, cancellationToken);
        span?.SetTag("centrum.template.outcome", result.Problem?.Code ?? "Saved");
        switch (result.Problem)
        {
            case null:
                Log.Saved(logger, applicationId, id);
                break;
            case { Kind: ProblemKind.Invalid or ProblemKind.Conflict } refused:
                Log.Refused(logger, applicationId, id, refused.Code, Reason(refused));
                break;
            case { } other:
                Log.NotSaved(logger, applicationId, id, other.Code);
                break;
        }

        return result;
    }

    /// <summary>The first problems found, enough to act on; a model with hundreds of errors would flood the log.</summary>
    private static string Reason(Problem problem)
    {
        const int MaxErrorsLogged = 5;
        if (problem.Details is not { Count: > 0 } errors)
        {
            return problem.Message;
        }

        var first = string.Join("; ", errors.Take(MaxErrorsLogged).Select(e => $"{e.Path}: {e.Message}"));
        return errors.Count > MaxErrorsLogged ? $"{first}; and {errors.Count - MaxErrorsLogged} more" : first;
    }

    private async Task<Outcome<DeviceTemplate>> SaveCoreAsync(
        string applicationId, string id, JsonArray types, string? displayName, string? description, JsonNode capabilityModel, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!DtdlLanguage.IsDtmi(id, 2) && !DtdlLanguage.IsDtmi(id, 3))
        {
            return Problem.Invalid($"The template id '{id}' must be a DTMI such as dtmi:contoso:Thermostat;1.");
        }

        var model = WithDefaultContext(capabilityModel);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var documents = await DocumentsAsync(db, applicationId, model, id, cancellationToken);
        var parsed = DtdlParser.Parse(documents);
        if (!parsed.IsValid)
        {
            return InvalidModel(parsed.Errors.Where(e => e.Path.StartsWith("$[0]", StringComparison.Ordinal) || documents.Count == 1).Select(e => Rebase(e, documents.Count)).DefaultIfEmpty(parsed.Errors[0]).ToList());
        }

        var rootId = Root(model);
        if (rootId is null || !parsed.Interfaces.TryGetValue(rootId, out var root))
        {
            return Problem.Invalid("The capability model must be an Interface (or an array of Interfaces, the device's first).");
        }

        var existing = await db.DeviceTemplates.FirstOrDefaultAsync(t => t.ApplicationId == applicationId && t.Id == id, cancellationToken);
        if (existing is not null && ifMatch is not null && ifMatch != "*" && ifMatch != existing.ETag)
        {
            return Problem.PreconditionFailed("The template's etag does not match; read it again.");
        }

        // Asked of the devices area; the question was never inside the save's transaction (the context reads, then commits),
        // so nothing is lost: a device assigned between the answer and the commit sees the template as saved from then on.
        if (existing is not null && await devices.AnyUsingTemplateAsync(applicationId, id, cancellationToken))
        {
            var before = await GetAsync(applicationId, id, cancellationToken);
            if (before is not null && Incompatibility(before.Model, root) is { } change)
            {
                return new Problem(ProblemKind.Conflict, "IncompatibleTemplateChange", $"Devices use this template, so it may only grow: {change}. Publish a new template version and move devices to it.");
            }
        }

        var entity = existing ?? new DeviceTemplateEntity
        {
            ApplicationId = applicationId,
            Id = id,
            ModelId = rootId,
            Types = "[]",
            CapabilityModel = "{}",
            Interfaces = "[]",
            ETag = "",
            CreatedAt = time.GetUtcNow(),
        };
        entity.ModelId = rootId;
        entity.DisplayName = displayName;
        entity.Description = description;
        entity.Types = types.ToJsonString();
        // Stored as written, read back as written (IoT Central REST API 2022-07-31, DeviceTemplates_Get example: no
        // @context); the default context is added each time the model is parsed.
        entity.CapabilityModel = capabilityModel.ToJsonString();
        entity.Interfaces = JsonSerializer.Serialize(DefinedInterfaces(model));
        entity.ETag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        if (existing is null)
        {
            db.DeviceTemplates.Add(entity);
        }

        await using var log = eventLog.Open(db, applicationId);
        Changed(log, existing is null ? "created" : "updated", id, displayName);
        await log.CommitAsync(cancellationToken);
        _cache.TryRemove((applicationId, id), out _);
        var template = ToModel(entity, root, parsed);
        _cache[(applicationId, id)] = template;
        return template;
    }

    /// <summary>
    /// Deletes a template no device uses; the outcome's value is the deleted template's id. Refusals: <c>TemplateInUse</c>
    /// while devices use it, <c>NotFound</c> when there is no such template.
    /// </summary>
    public async Task<Outcome<string>> DeleteAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        // The devices area answers outside the deletion's transaction, as the question was asked before it began when it
        // was a query here. A device assigned in between keeps an id that no longer resolves (there is no foreign key
        // from devices to templates), and is read as unassigned: DeviceModels.ForDeviceAsync answers null for it.
        if (await devices.AnyUsingTemplateAsync(applicationId, id, cancellationToken))
        {
            Log.Refused(logger, applicationId, id, "TemplateInUse", "devices use it, so it cannot be deleted");
            return new Problem(ProblemKind.Conflict, "TemplateInUse", "Devices use this template; move them to another template first.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        await using var log = eventLog.Open(db, applicationId);
        await log.BeginAsync(cancellationToken);
        var displayName = await db.DeviceTemplates.Where(t => t.ApplicationId == applicationId && t.Id == id).Select(t => t.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var deleted = await db.DeviceTemplates.Where(t => t.ApplicationId == applicationId && t.Id == id).ExecuteDeleteAsync(cancellationToken);
        _cache.TryRemove((applicationId, id), out _);
        if (deleted == 0)
        {
            return Problem.NotFound($"Device template '{id}' was not found.");
        }

        Changed(log, "deleted", id, displayName);
        await log.CommitAsync(cancellationToken);
        Log.Deleted(logger, applicationId, id);
        return id;
    }

    /// <summary>Template lifecycle goes to the application's event log with the change, so exports can follow it.</summary>
    private static void Changed(DeviceEventAppend log, string change, string templateId, string? displayName) =>
        log.Append(DeviceEventKind.TemplateChanged, "", new JsonObject { ["change"] = change, ["templateId"] = templateId, ["displayName"] = displayName });

    public async Task<bool> ExistsAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.DeviceTemplates.AnyAsync(t => t.ApplicationId == applicationId && t.Id == id, cancellationToken);
    }

    /// <summary>
    /// The capability model's documents, then those of earlier templates that define Interfaces it references but does
    /// not define itself (dependency order), as one model.
    /// </summary>
    private static async Task<List<string>> DocumentsAsync(CentrumDbContext db, string applicationId, JsonNode model, string id, CancellationToken cancellationToken)
    {
        var documents = new List<string> { model.ToJsonString() };
        var defined = DefinedInterfaces(model).ToHashSet(StringComparer.Ordinal);
        var wanted = ReferencedInterfaces(model).Where(r => !defined.Contains(r)).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return documents;
        }

        var others = await db.DeviceTemplates.AsNoTracking().Where(t => t.ApplicationId == applicationId && t.Id != id)
            .Select(t => new { t.Interfaces, t.CapabilityModel }).ToListAsync(cancellationToken);
        foreach (var other in others)
        {
            var provides = JsonSerializer.Deserialize<List<string>>(other.Interfaces) ?? [];
            if (provides.Any(wanted.Contains) && !provides.Any(defined.Contains))
            {
                documents.Add(WithDefaultContext(JsonNode.Parse(other.CapabilityModel)!).ToJsonString());
                defined.UnionWith(provides);
            }
        }

        return documents;
    }

    private static JsonNode WithDefaultContext(JsonNode model) => model switch
    {
        JsonArray array => new JsonArray(array.Select(item => item is JsonObject obj ? WithContext(obj) : item?.DeepClone()).ToArray()),
        JsonObject obj => WithContext(obj),
        _ => model.DeepClone(),
    };

    private static JsonObject WithContext(JsonObject item)
    {
        if (item.ContainsKey("@context"))
        {
            return (JsonObject)item.DeepClone();
        }

        var result = new JsonObject { ["@context"] = DefaultContext.DeepClone() };
        foreach (var (key, value) in item)
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    private static string? Root(JsonNode model) => (model is JsonArray array ? array.FirstOrDefault() : model)?["@id"]?.GetValue<string>();

    private static IEnumerable<string> DefinedInterfaces(JsonNode? node) => node switch
    {
        JsonObject obj => (obj["@type"]?.ToJsonString().Contains("\"Interface\"", StringComparison.Ordinal) == true && obj["@id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
                ? [id.GetValue<string>()]
                : Enumerable.Empty<string>())
            .Concat(obj.SelectMany(p => DefinedInterfaces(p.Value))),
        JsonArray array => array.SelectMany(DefinedInterfaces),
        _ => [],
    };

    private static IEnumerable<string> ReferencedInterfaces(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Where(p => p.Key is "extends" or "schema").SelectMany(p => p.Value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().StartsWith("dtmi:", StringComparison.Ordinal) => [v.GetValue<string>()],
                JsonArray a => a.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()),
                _ => Enumerable.Empty<string>(),
            })
            .Concat(obj.SelectMany(p => ReferencedInterfaces(p.Value))),
        JsonArray array => array.SelectMany(ReferencedInterfaces),
        _ => [],
    };

    /// <summary>What devices rely on: every content of the old model (root and components) must remain, with the same kind and schema.</summary>
    private static string? Incompatibility(DtdlInterface before, DtdlInterface after)
    {
        foreach (var (component, old) in Flatten(before))
        {
            var now = Flatten(after).FirstOrDefault(c => c.Component == component && c.Content.Name == old.Name).Content;
            if (now is null)
            {
                return $"'{Qualified(component, old.Name)}' would be removed";
            }

            if (now.GetType() != old.GetType() || Signature(now) != Signature(old))
            {
                return $"'{Qualified(component, old.Name)}' would change";
            }
        }

        return null;
    }

    private static IEnumerable<(string? Component, DtdlContent Content)> Flatten(DtdlInterface model) =>
        model.AllContents.Where(c => c is not DtdlComponent).Select(c => ((string?)null, c))
            .Concat(model.Components.Where(c => c.Schema is not null).SelectMany(c => c.Schema!.AllContents.Select(inner => ((string?)c.Name, inner))));

    private static string Qualified(string? component, string name) => component is null ? name : $"{component}.{name}";

    private static string Signature(DtdlContent content) => content switch
    {
        DtdlTelemetry t => SchemaSignature(t.Schema),
        DtdlProperty p => $"{p.Writable}:{SchemaSignature(p.Schema)}",
        DtdlCommand c => $"{(c.Request is null ? "" : SchemaSignature(c.Request.Schema))}->{(c.Response is null ? "" : SchemaSignature(c.Response.Schema))}",
        _ => content.GetType().Name,
    };

    internal static string SchemaSignature(DtdlSchema schema) => schema switch
    {
        DtdlPrimitiveSchema p => p.Name,
        DtdlSchemaReference r => r.Target is null ? r.Reference : SchemaSignature(r.Target),
        DtdlArraySchema a => $"[{SchemaSignature(a.ElementSchema)}]",
        DtdlMapSchema m => $"{{*:{SchemaSignature(m.ValueSchema)}}}",
        DtdlObjectSchema o => "{" + string.Join(',', o.Fields.Select(f => $"{f.Name}:{SchemaSignature(f.Schema)}")) + "}",
        DtdlEnumSchema e => $"enum({e.ValueSchema}:{string.Join(',', e.Values.Select(v => v.Value.ToJsonString()))})",
        _ => "?",
    };

    /// <summary>A model the DTDL parser refused: the first error in the message, every error as a detail with its path into <c>capabilityModel</c>.</summary>
    private static Problem InvalidModel(IReadOnlyList<DtdlError> errors)
    {
        var details = errors.Select(e => new ProblemDetail("capabilityModel" + e.Path.TrimStart('$'), e.Message)).ToList();
        var more = details.Count > 1 ? $" (and {details.Count - 1} more)" : "";
        return new Problem(ProblemKind.Invalid, "InvalidModel", $"The capability model is not valid DTDL: {details[0].Path}: {details[0].Message}{more}") { Details = details };
    }

    private static DtdlError Rebase(DtdlError error, int documents) =>
        documents == 1 ? error : error with { Path = "$" + error.Path[4..] };

    private static DeviceTemplate ToModel(DeviceTemplateEntity e, DtdlInterface model, DtdlParseResult parsed) => new(
        e.Id, e.ModelId, e.DisplayName, e.Description, JsonNode.Parse(e.Types)!.AsArray(), JsonNode.Parse(e.CapabilityModel)!, e.ETag, model)
    {
        Modules = EdgeModules(model, parsed),
    };

    /// <summary>
    /// The model's IoT Edge modules: its Relationships co-typed <c>EdgeModule</c>, each with the Interface its target
    /// names (the parser took inline targets into the model). A target that is not part of the model leaves the module
    /// out, as a module the template does not describe.
    /// </summary>
    private static Dictionary<string, EdgeModuleModel> EdgeModules(DtdlInterface model, DtdlParseResult parsed)
    {
        var modules = new Dictionary<string, EdgeModuleModel>(StringComparer.Ordinal);
        foreach (var relationship in model.AllContents.OfType<DtdlRelationship>())
        {
            if (relationship.CoTypes.Contains(DeviceTemplate.EdgeModuleType) && relationship.Target is { } target
                && parsed.Interfaces.TryGetValue(target, out var module))
            {
                modules[relationship.Name] = new EdgeModuleModel(relationship, module);
            }
        }

        return modules;
    }
}
