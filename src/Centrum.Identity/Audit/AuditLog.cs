using System.Text.Json.Nodes;
using Centrum.Audit;
using Centrum.Events;
using Centrum.Storage;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Identity.Audit;

/// <summary>
/// One audit entry: who did what to which resource, from where, and how it ended. <paramref name="ResourceDisplayName"/>
/// is the resource's display name when the answer named one (IoT Central's audit message: <c>resource.displayName</c>).
/// </summary>
public sealed record AuditEntry(
    string Action,
    string ActorType,
    string ActorId,
    string ResourceType,
    string? ResourceId,
    string Method,
    string Path,
    int Outcome,
    string? Address,
    string? ResourceDisplayName = null);

/// <summary>An entry as read back: its position in the application's event log, its time, and what was recorded.</summary>
public sealed record AuditRecord(long Position, DateTimeOffset Time, JsonObject Entry);

/// <summary>
/// The application's audit log. Entries go to the application's event log (kind <c>Audited</c>), so the audit export
/// source follows them like any other event, in order and at least once. An entry is written through the metadata
/// store's group commit (<see cref="MetadataWriter"/>): a REST change's entry shares its durable commit with other
/// writes instead of costing a synced transaction of its own on every audited request.
/// </summary>
public sealed class AuditLog(IDbContextFactory<CentrumDbContext> contexts, MetadataWriter writer) : IAuditTrail
{
    public const int MaxPageSize = 1000;

    /// <summary>Entries newest first, paged by position: <paramref name="before"/> is the last position of the previous page.</summary>
    public async Task<(IReadOnlyList<AuditRecord> Page, long? ContinueBefore)> ListAsync(string applicationId, long? before, int pageSize, CancellationToken cancellationToken)
    {
        var kind = DeviceEventKind.Audited.ToString();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == applicationId && e.Kind == kind);
        if (before is { } position)
        {
            query = query.Where(e => e.Id < position);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(e => new AuditRecord(e.Id, e.Time, JsonNode.Parse(e.Data ?? "{}")!.AsObject())).ToList();
        return (page, rows.Count > pageSize ? page[^1].Position : null);
    }

    /// <summary>
    /// Longest text kept from a caller-chosen field (an email typed at sign-in, a resource id, a path): RFC 5321
    /// §4.5.3.1.3 bounds an address at 256 octets, and nothing Centrum names is longer. Longer text is cut and marked,
    /// so an entry's size is bounded whatever a request held.
    /// </summary>
    public const int MaxFieldLength = 256;

    /// <summary>Paths are kept a little longer: Centrum's routes with the longest ids (device, module, component) fit.</summary>
    public const int MaxPathLength = 1024;

    public async Task RecordAsync(string applicationId, AuditEntry entry, CancellationToken cancellationToken)
    {
        var resource = new JsonObject { ["type"] = Bounded(entry.ResourceType, MaxFieldLength), ["id"] = Bounded(entry.ResourceId, MaxFieldLength) };
        if (entry.ResourceDisplayName is not null)
        {
            // Left out when unknown (a deletion, a resource without one), as IoT Central leaves out members without a value.
            resource["displayName"] = Bounded(entry.ResourceDisplayName, MaxFieldLength);
        }

        var data = new JsonObject
        {
            ["messageType"] = Bounded(entry.Action, MaxFieldLength),
            ["actor"] = new JsonObject { ["type"] = Bounded(entry.ActorType, MaxFieldLength), ["id"] = Bounded(entry.ActorId, MaxFieldLength) },
            ["resource"] = resource,
            ["request"] = new JsonObject { ["method"] = Bounded(entry.Method, MaxFieldLength), ["path"] = Bounded(entry.Path, MaxPathLength), ["address"] = Bounded(entry.Address, MaxFieldLength) },
            ["outcome"] = entry.Outcome,
        };
        await writer.WriteAsync(applicationId, unit => unit.Append(DeviceEventKind.Audited, "", data), cancellationToken);
    }

    /// <summary>An action an area took on its own (no request, so no caller address): recorded as any other entry.</summary>
    Task IAuditTrail.RecordAsync(string applicationId, AuditTrailEntry entry, CancellationToken cancellationToken) =>
        RecordAsync(
            applicationId,
            new AuditEntry(entry.Action, entry.ActorType, entry.ActorId, entry.ResourceType, entry.ResourceId, entry.Method, entry.Path, entry.Outcome, null, entry.ResourceDisplayName),
            cancellationToken);

    private static string? Bounded(string? text, int limit) => text is null || text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit - 1), "…");
}
