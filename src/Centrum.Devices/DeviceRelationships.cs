using System.Text.Json;
using Centrum.Devices.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices;

/// <summary>
/// Gateway relationships between devices (IoT Central REST API 2022-07-31, <c>Devices_ListRelationships</c>,
/// <c>Devices_GetRelationship</c>, <c>Devices_CreateRelationship</c>, <c>Devices_UpdateRelationship</c>,
/// <c>Devices_RemoveRelationship</c>) and the owner of their rules: both ends exist in the application and within the
/// caller's organization reach, a device is not its own parent nor its own ancestor, and a downstream device has at most
/// one gateway, as an IoT Hub device has at most one parent scope. A relationship puts its target in the source's
/// device scope: the gateway may then authenticate upstream on the target's behalf (<see cref="IsInScopeAsync"/>); when the
/// relationship goes or changes ends, the connection the gateway opened on the old target's behalf is closed.
/// </summary>
public sealed class DeviceRelationships(
    IDbContextFactory<CentrumDbContext> contexts, IDeviceConnections connections, TimeProvider time, ILogger<DeviceRelationships> logger)
{
    /// <summary>Relationship ids follow the device-id rule (letters, digits, <c>-</c>, <c>.</c>, <c>_</c>, <c>:</c>), up to 128 characters.</summary>
    public const int MaxIdLength = 128;

    /// <summary>IoT Central's <c>maxpagesize</c> bound (REST API 2022-07-31: 1 to 100).</summary>
    public const int MaxPageSize = 100;

    /// <summary>
    /// How many gateways up a new relationship's source is followed to refuse a cycle: IoT Edge nests at most five deep
    /// (Azure/iotedge <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/ServiceIdentityTree.cs</c>,
    /// <c>MaxNestingDepth = 5</c>), so a deeper chain is refused as well.
    /// </summary>
    public const int MaxDepth = 5;

    /// <summary>The relationships the device is either end of (its gateway and its downstream devices), in id order.</summary>
    public async Task<Outcome<DeviceRelationshipPage>> ListAsync(
        string applicationId, string deviceId, int pageSize, string? after, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await DeviceProblemAsync(db, applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        // The other end must be within reach too: a relationship to a device the caller cannot see is not shown, nor
        // is that device's id. Rows are read a page at a time until the page is full or the device has no more.
        var visible = new List<DeviceRelationship>(pageSize);
        var cursor = after;
        while (true)
        {
            var query = Involving(db, applicationId, deviceId).AsNoTracking();
            if (cursor is not null)
            {
                query = query.Where(r => string.Compare(r.Id, cursor) > 0);
            }

            var rows = await query.OrderBy(r => r.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                if (visible.Count == pageSize)
                {
                    return new DeviceRelationshipPage(visible, visible[^1].Id);
                }

                if (await OtherEndReachedAsync(db, applicationId, deviceId, row, reach, cancellationToken))
                {
                    visible.Add(ToModel(row));
                }
            }

            if (rows.Count <= pageSize)
            {
                return new DeviceRelationshipPage(visible, null);
            }

            cursor = rows[^1].Id;
        }
    }

    public async Task<Outcome<DeviceRelationship>> GetAsync(
        string applicationId, string deviceId, string relationshipId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await DeviceProblemAsync(db, applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        var row = await Involving(db, applicationId, deviceId).AsNoTracking().FirstOrDefaultAsync(r => r.Id == relationshipId, cancellationToken);
        return row is null || !await OtherEndReachedAsync(db, applicationId, deviceId, row, reach, cancellationToken) ? NotFound(deviceId, relationshipId) : ToModel(row);
    }

    /// <summary>
    /// Creates the relationship, or replaces one of this device with that id. <paramref name="source"/> left out is the
    /// device of the path; the device of the path is one of the two ends.
    /// </summary>
    public async Task<Outcome<DeviceRelationship>> CreateOrReplaceAsync(
        string applicationId, string deviceId, string relationshipId, string? source, string? target, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(relationshipId))
        {
            return Problem.Invalid($"Relationship id '{Echo(relationshipId)}' is not valid: use 1 to {MaxIdLength} letters, digits, '-', '.', '_' or ':'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await DeviceProblemAsync(db, applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        var row = await db.DeviceRelationships.FirstOrDefaultAsync(r => r.ApplicationId == applicationId && r.Id == relationshipId, cancellationToken);
        if (row is not null && row.SourceId != deviceId && row.TargetId != deviceId)
        {
            return Problem.Conflict($"Relationship '{relationshipId}' already exists between other devices.");
        }

        if (row is not null && !await OtherEndReachedAsync(db, applicationId, deviceId, row, reach, cancellationToken))
        {
            return Problem.Conflict($"Relationship '{relationshipId}' already exists.");
        }

        return await WriteAsync(db, applicationId, deviceId, relationshipId, row, source ?? deviceId, target, reach, cancellationToken);
    }

    /// <summary>A merge patch: the ends given replace the relationship's, the others stay.</summary>
    public async Task<Outcome<DeviceRelationship>> UpdateAsync(
        string applicationId, string deviceId, string relationshipId, string? source, string? target, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await DeviceProblemAsync(db, applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        var row = await Involving(db, applicationId, deviceId).FirstOrDefaultAsync(r => r.Id == relationshipId, cancellationToken);
        return row is null || !await OtherEndReachedAsync(db, applicationId, deviceId, row, reach, cancellationToken)
            ? NotFound(deviceId, relationshipId)
            : await WriteAsync(db, applicationId, deviceId, relationshipId, row, source ?? row.SourceId, target ?? row.TargetId, reach, cancellationToken);
    }

    /// <summary>Deletes the relationship; the device of the path may be either end (REST API 2022-07-31, <c>Devices_RemoveRelationship</c>).</summary>
    public async Task<Outcome<DeviceRelationship>> DeleteAsync(
        string applicationId, string deviceId, string relationshipId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await DeviceProblemAsync(db, applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        var row = await Involving(db, applicationId, deviceId).FirstOrDefaultAsync(r => r.Id == relationshipId, cancellationToken);
        if (row is null || !await OtherEndReachedAsync(db, applicationId, deviceId, row, reach, cancellationToken))
        {
            return NotFound(deviceId, relationshipId);
        }

        db.DeviceRelationships.Remove(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return NotFound(deviceId, relationshipId);
        }

        Log.RelationshipDeleted(logger, applicationId, relationshipId, row.SourceId, row.TargetId);
        await connections.DisconnectCredentialAsync(applicationId, CredentialSources.Gateway(row.SourceId, row.TargetId), "no longer in the gateway's scope");
        return ToModel(row);
    }

    /// <summary>
    /// Whether <paramref name="deviceId"/> is in the device scope of <paramref name="gatewayId"/>: a downstream device of
    /// a relationship whose source is the gateway (IoT Hub: the device's <c>parentScopes</c> name the gateway's scope).
    /// </summary>
    public async Task<bool> IsInScopeAsync(string applicationId, string gatewayId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.DeviceRelationships.AnyAsync(
            r => r.ApplicationId == applicationId && r.SourceId == gatewayId && r.TargetId == deviceId, cancellationToken);
    }

    private async Task<Outcome<DeviceRelationship>> WriteAsync(
        CentrumDbContext db, string applicationId, string deviceId, string relationshipId, DeviceRelationshipEntity? row, string source, string? target,
        OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (target is null)
        {
            return Problem.Invalid("Field 'target' is required: the device id of the downstream (child) device.");
        }

        if (source != deviceId && target != deviceId)
        {
            return Problem.Invalid($"A relationship of device '{deviceId}' has it as its source or its target.");
        }

        if (source == target)
        {
            return Problem.Invalid($"Device '{Echo(source)}' cannot be its own gateway.");
        }

        foreach (var end in new[] { source, target }.Where(e => e != deviceId))
        {
            if (await DeviceProblemAsync(db, applicationId, end, reach, cancellationToken) is { } missing)
            {
                return missing;
            }
        }

        var gateway = await db.DeviceRelationships.AsNoTracking()
            .FirstOrDefaultAsync(r => r.ApplicationId == applicationId && r.TargetId == target && r.Id != relationshipId, cancellationToken);
        if (gateway is not null)
        {
            return Problem.Conflict($"Device '{target}' already has gateway '{gateway.SourceId}' (relationship '{gateway.Id}'); a downstream device has one gateway.");
        }

        if (await AncestryProblemAsync(db, applicationId, relationshipId, source, target, cancellationToken) is { } cycle)
        {
            return cycle;
        }

        var created = row is null;
        var previous = row is null || (row.SourceId == source && row.TargetId == target) ? null : CredentialSources.Gateway(row.SourceId, row.TargetId);
        if (row is null)
        {
            row = new DeviceRelationshipEntity { ApplicationId = applicationId, Id = relationshipId, SourceId = source, TargetId = target, CreatedAt = time.GetUtcNow() };
            db.DeviceRelationships.Add(row);
        }
        else
        {
            row.SourceId = source;
            row.TargetId = target;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique target, the id, or a device deleted meanwhile: another request won.
            return Problem.Conflict($"Relationship '{relationshipId}' was changed by another request, or device '{target}' gained a gateway meanwhile; read it again and retry.");
        }

        Log.RelationshipWritten(logger, applicationId, relationshipId, source, target, created);
        if (previous is not null)
        {
            await connections.DisconnectCredentialAsync(applicationId, previous, "no longer in the gateway's scope");
        }

        return ToModel(row);
    }

    /// <summary>Follows the source's gateways up: meeting the target would make a cycle; the chain is bounded by <see cref="MaxDepth"/>.</summary>
    private static async Task<Problem?> AncestryProblemAsync(
        CentrumDbContext db, string applicationId, string relationshipId, string source, string target, CancellationToken cancellationToken)
    {
        var current = source;
        for (var depth = 1; depth <= MaxDepth; depth++)
        {
            var parent = await db.DeviceRelationships.AsNoTracking()
                .Where(r => r.ApplicationId == applicationId && r.TargetId == current && r.Id != relationshipId)
                .Select(r => r.SourceId).FirstOrDefaultAsync(cancellationToken);
            if (parent is null)
            {
                return null;
            }

            if (parent == target)
            {
                return Problem.Invalid($"Device '{target}' is upstream of device '{source}'; it cannot also be its downstream device.");
            }

            current = parent;
        }

        return Problem.Invalid($"Device '{source}' is already {MaxDepth} gateways deep; a deeper chain is not supported.");
    }

    private static async Task<Problem?> DeviceProblemAsync(CentrumDbContext db, string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var organizations = await db.Devices.AsNoTracking().Where(d => d.ApplicationId == applicationId && d.Id == deviceId)
            .Select(d => d.Organizations).FirstOrDefaultAsync(cancellationToken);
        return organizations is null || !reach.Reaches(JsonSerializer.Deserialize<List<string>>(organizations) ?? [])
            ? Problem.NotFound($"Device '{Echo(deviceId)}' was not found.")
            : null;
    }

    /// <summary>Whether the end of <paramref name="row"/> that is not <paramref name="deviceId"/> is a device within <paramref name="reach"/>.</summary>
    private static async Task<bool> OtherEndReachedAsync(
        CentrumDbContext db, string applicationId, string deviceId, DeviceRelationshipEntity row, OrganizationReach reach, CancellationToken cancellationToken) =>
        reach.IsWholeApplication || await DeviceProblemAsync(db, applicationId, row.SourceId == deviceId ? row.TargetId : row.SourceId, reach, cancellationToken) is null;

    private static IQueryable<DeviceRelationshipEntity> Involving(CentrumDbContext db, string applicationId, string deviceId) =>
        db.DeviceRelationships.Where(r => r.ApplicationId == applicationId && (r.SourceId == deviceId || r.TargetId == deviceId));

    private static DeviceRelationship ToModel(DeviceRelationshipEntity e) => new(e.Id, e.SourceId, e.TargetId);

    private static Problem NotFound(string deviceId, string relationshipId) =>
        Problem.NotFound($"Relationship '{Echo(relationshipId)}' was not found on device '{deviceId}'.");

    /// <summary>Ids from a request are echoed up to the id length: a body may carry a string of any size.</summary>
    private static string Echo(string id) => id.Length <= MaxIdLength ? id : id[..MaxIdLength] + "…";
}
