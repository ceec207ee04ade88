using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices.Internal;
using Centrum.Events;
using Centrum.Listing;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices;

/// <summary>
/// The device registry: the one way in to device identities. Every call names its application, and every query starts
/// from <see cref="Scoped"/>, so one application's devices are never reachable from another's.
/// </summary>
public sealed class DeviceRegistry(
    IDbContextFactory<CentrumDbContext> contexts,
    ISecretProtector secrets,
    IDeviceConnections connections,
    DeviceEventLog eventLog,
    TimeProvider time,
    ILogger<DeviceRegistry> logger,
    IEnumerable<IAreaData> areas)
{
    public const int MaxPageSize = 100;

    public async Task<Device?> GetAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>
    /// Keyset paging by id: stable under concurrent inserts and deletes, unlike offsets. <paramref name="visible"/>
    /// narrows the list (to a caller's organizations) without leaving pages short.
    /// </summary>
    public Task<DevicePage> ListAsync(string applicationId, string? after, int pageSize, CancellationToken cancellationToken, Func<Device, bool>? visible = null) =>
        ListAsync(applicationId, new ListRequest(null, null, after), pageSize, cancellationToken, visible);

    /// <summary>
    /// A page of the list, narrowed by IoT Central's <c>filter</c> and ordered by its <c>orderby</c> (as the caller wrote
    /// them; the fields are <see cref="ListFields"/>), evaluated by the database. Throws <see cref="ListQueryException"/>
    /// naming the option at fault.
    /// </summary>
    public async Task<DevicePage> ListAsync(string applicationId, ListRequest request, int pageSize, CancellationToken cancellationToken, Func<Device, bool>? visible = null)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var plan = new ListPlan<DeviceEntity>(ListCompiler, d => d.Id, request);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var page = new List<Device>();
        ListCursor? last = null;
        var chunk = visible is null ? pageSize + 1 : Math.Max(200, pageSize + 1);
        var cursor = plan.Cursor;
        while (true)
        {
            var rows = await plan.Apply(Scoped(db, applicationId).AsNoTracking(), cursor).Take(chunk).ToListAsync(cancellationToken);
            foreach (var entity in rows)
            {
                var device = ToModel(entity);
                if (visible is null || visible(device))
                {
                    if (page.Count == pageSize)
                    {
                        return new DevicePage(page, plan.Encode(last!));
                    }

                    page.Add(device);
                    last = plan.CursorOf(entity);
                }
            }

            if (rows.Count < chunk)
            {
                return new DevicePage(page, null);
            }

            cursor = plan.CursorOf(rows[^1]);
        }
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

    public async Task<(DeviceWriteOutcome Outcome, Device? Device)> CreateOrReplaceAsync(
        string applicationId, string deviceId, DeviceWrite write, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(deviceId))
        {
            throw new ArgumentException($"Device id '{deviceId}' is not valid: use 1 to {DeviceIds.MaxLength} letters, digits, '-', '.', '_' or ':'.", nameof(deviceId));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        var outcome = DeviceWriteOutcome.Replaced;
        if (entity is null)
        {
            if (ifMatch is not null && ifMatch != "*")
            {
                return (DeviceWriteOutcome.ETagMismatch, null);
            }

            entity = new DeviceEntity
            {
                ApplicationId = applicationId,
                Id = deviceId,
                PrimaryKeyProtected = secrets.Protect(SymmetricKeys.Generate()),
                SecondaryKeyProtected = secrets.Protect(SymmetricKeys.Generate()),
                ETag = NewETag(),
                CreatedAt = time.GetUtcNow(),
            };
            db.Devices.Add(entity);
            outcome = DeviceWriteOutcome.Created;
        }
        else if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return (DeviceWriteOutcome.ETagMismatch, null);
        }

        await EnsureOrganizationsExistAsync(db, applicationId, write.Organizations, cancellationToken);
        var wasAllowed = entity.Enabled && entity.Approved;
        var before = ToWrite(entity);
        Apply(entity, write);
        await using var log = eventLog.Open(db, applicationId);
        if (outcome == DeviceWriteOutcome.Created)
        {
            log.Append(DeviceEventKind.Created, deviceId, null);
        }
        else
        {
            Changed(log, deviceId, before, ToWrite(entity));
        }

        await SaveAsync(log.CommitAsync(cancellationToken));
        LogWrite(applicationId, deviceId, outcome == DeviceWriteOutcome.Created, before, ToWrite(entity));
        await DisconnectIfDisabledAsync(applicationId, deviceId, wasAllowed && !(entity.Enabled && entity.Approved));
        return (outcome, ToModel(entity));
    }

    public async Task<(DeviceWriteOutcome Outcome, Device? Device)> UpdateAsync(
        string applicationId, string deviceId, Func<DeviceWrite, DeviceWrite> patch, string? ifMatch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (entity is null)
        {
            return (DeviceWriteOutcome.NotFound, null);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return (DeviceWriteOutcome.ETagMismatch, null);
        }

        var wasAllowed = entity.Enabled && entity.Approved;
        var before = ToWrite(entity);
        var after = patch(before);
        await EnsureOrganizationsExistAsync(db, applicationId, after.Organizations, cancellationToken);
        Apply(entity, after);
        await using var log = eventLog.Open(db, applicationId);
        Changed(log, deviceId, before, ToWrite(entity));
        await SaveAsync(log.CommitAsync(cancellationToken));
        LogWrite(applicationId, deviceId, created: false, before, ToWrite(entity));
        await DisconnectIfDisabledAsync(applicationId, deviceId, wasAllowed && !(entity.Enabled && entity.Approved));
        return (DeviceWriteOutcome.Updated, ToModel(entity));
    }

    public async Task<bool> DeleteAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        using var span = DevicesTracing.Source.StartActivity("devices.delete");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var log = eventLog.Open(db, applicationId);
        await log.BeginAsync(cancellationToken);
        var deleted = await Scoped(db, applicationId).Where(d => d.Id == deviceId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return false;
        }

        foreach (var area in areas)
        {
            await area.ReleaseDeviceAsync(db, applicationId, deviceId, cancellationToken);
        }

        log.Append(DeviceEventKind.Deleted, deviceId, null);
        await log.CommitAsync(cancellationToken);
        Log.Deleted(logger, applicationId, deviceId);
        await connections.DisconnectAsync(applicationId, deviceId, "device deleted");
        return true;
    }

    public async Task<DeviceKeys?> GetKeysAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var auth = await FindForAuthenticationAsync(applicationId, deviceId, cancellationToken);
        return auth?.Keys;
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

    /// <summary>Keeps connect and disconnect times (and the model id announced on CONNECT).</summary>
    public async Task RecordConnectivityAsync(string applicationId, string deviceId, bool connected, string? modelId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var log = eventLog.Open(db, applicationId);
        await log.BeginAsync(cancellationToken);
        var query = Scoped(db, applicationId).Where(d => d.Id == deviceId);
        var updated = connected
            ? await query.ExecuteUpdateAsync(s => s.SetProperty(d => d.LastConnectTime, now).SetProperty(d => d.ModelId, d => modelId ?? d.ModelId), cancellationToken)
            : await query.ExecuteUpdateAsync(s => s.SetProperty(d => d.LastDisconnectTime, now), cancellationToken);
        if (updated == 0)
        {
            return;
        }

        if (connected && modelId is not null)
        {
            await AssociateAsync(db, applicationId, deviceId, modelId, cancellationToken);
        }

        log.Append(connected ? DeviceEventKind.Connected : DeviceEventKind.Disconnected, deviceId,
            connected && modelId is not null ? new JsonObject { ["modelId"] = modelId } : null);
        await log.CommitAsync(cancellationToken);
    }

    public bool IsConnected(string applicationId, string deviceId) => connections.IsConnected(applicationId, deviceId);

    /// <summary>The ids of the devices assigned to a template: the population a query over that template covers.</summary>
    public async Task<IReadOnlyList<string>> IdsByTemplateAsync(string applicationId, string templateId, CancellationToken cancellationToken, Func<IReadOnlyList<string>, bool>? visible = null)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Scoped(db, applicationId).Where(d => d.TemplateId == templateId).Select(d => new { d.Id, d.Organizations }).ToListAsync(cancellationToken);
        return rows.Where(r => visible is null || visible(JsonSerializer.Deserialize<List<string>>(r.Organizations) ?? [])).Select(r => r.Id).ToList();
    }

    /// <summary>
    /// Records a successful provisioning: creates the device on its first registration (approved when the application
    /// auto-approves), or marks an existing one provisioned. A device that provisioned through a symmetric-key group
    /// takes the derived keys as its hub keys, as DPS does.
    /// </summary>
    public async Task<Device> ProvisionAsync(
        string applicationId, string deviceId, bool autoApprove, string? modelId, string? enrollmentGroupId, DeviceKeys? derivedKeys, CancellationToken cancellationToken)
    {
        using var span = DevicesTracing.Source.StartActivity("devices.provision");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        await using var log = eventLog.Open(db, applicationId);
        var created = entity is null;
        if (entity is null)
        {
            entity = new DeviceEntity
            {
                ApplicationId = applicationId,
                Id = deviceId,
                DisplayName = deviceId,
                PrimaryKeyProtected = secrets.Protect(derivedKeys?.PrimaryKey ?? SymmetricKeys.Generate()),
                SecondaryKeyProtected = secrets.Protect(derivedKeys?.SecondaryKey ?? SymmetricKeys.Generate()),
                AttestationType = null,
                Approved = autoApprove,
                ETag = NewETag(),
                CreatedAt = time.GetUtcNow(),
            };
            db.Devices.Add(entity);
            log.Append(DeviceEventKind.Created, deviceId, new JsonObject { ["provisioned"] = true });
        }
        else
        {
            if (derivedKeys is not null)
            {
                entity.PrimaryKeyProtected = secrets.Protect(derivedKeys.PrimaryKey);
                entity.SecondaryKeyProtected = secrets.Protect(derivedKeys.SecondaryKey);
            }

            log.Append(DeviceEventKind.Updated, deviceId, new JsonObject { ["changes"] = new JsonArray("provisioned") });
        }

        entity.Provisioned = true;
        entity.ModelId = modelId ?? entity.ModelId;
        if (entity.TemplateId is null && modelId is not null)
        {
            entity.TemplateId = await db.DeviceTemplates.Where(t => t.ApplicationId == applicationId && t.ModelId == modelId)
                .Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        }

        entity.EnrollmentGroupId = enrollmentGroupId ?? entity.EnrollmentGroupId;
        entity.ETag = NewETag();
        await SaveAsync(log.CommitAsync(cancellationToken));
        Log.Provisioned(logger, applicationId, deviceId, created, enrollmentGroupId, modelId);
        return ToModel(entity);
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

    /// <summary>Sets or removes (null) the device's individual enrollment; its current connection closes when credentials change.</summary>
    public async Task<bool> SetAttestationAsync(string applicationId, string deviceId, DeviceAttestation? attestation, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await Scoped(db, applicationId).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (entity is null)
        {
            return false;
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
        await SaveAsync(db.SaveChangesAsync(cancellationToken));
        Log.CredentialsChanged(logger, applicationId, deviceId, attestation?.Type ?? "removed");
        await connections.DisconnectAsync(applicationId, deviceId, "device credentials changed");
        return true;
    }

    /// <summary>
    /// A device without a template is associated with the template whose model is the one it announced; an operator's
    /// assignment is never overridden (IoT Central docs "How devices connect", "Automatically assign a device to a device template").
    /// </summary>
    private static async Task AssociateAsync(CentrumDbContext db, string applicationId, string deviceId, string modelId, CancellationToken cancellationToken)
    {
        var templateId = await db.DeviceTemplates.Where(t => t.ApplicationId == applicationId && t.ModelId == modelId).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        if (templateId is not null)
        {
            await Scoped(db, applicationId).Where(d => d.Id == deviceId && d.TemplateId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.TemplateId, templateId), cancellationToken);
        }
    }

    /// <summary>
    /// Records what an update changed in IoT Central's device lifecycle vocabulary (enabled, disabled, approved,
    /// displayNameChanged, deviceTemplateChanged), or nothing when it changed none of those.
    /// </summary>
    private static void Changed(DeviceEventAppend log, string deviceId, DeviceWrite before, DeviceWrite after)
    {
        var changes = new JsonArray();
        if (before.Enabled != after.Enabled)
        {
            changes.Add(after.Enabled ? "enabled" : "disabled");
        }

        if (!before.Approved && after.Approved)
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
            log.Append(DeviceEventKind.Updated, deviceId, new JsonObject { ["changes"] = changes });
        }
    }

    /// <summary>What an operator needs to know of a write: which of the device's facts changed, never its keys.</summary>
    private void LogWrite(string applicationId, string deviceId, bool created, DeviceWrite before, DeviceWrite after)
    {
        if (created)
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
            changes.Add(after.Approved ? "approved" : "unapproved");
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

    private static async Task SaveAsync(Task save)
    {
        try
        {
            await save;
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DeviceConflictException();
        }
        catch (DbUpdateException)
        {
            // Two concurrent creates of one id: the loser sees the primary key taken.
            throw new DeviceConflictException();
        }
    }

    /// <summary>A device belongs only to organizations of its application's tree; a device in a missing one would be out of everyone's reach but the application's.</summary>
    private static async Task EnsureOrganizationsExistAsync(CentrumDbContext db, string applicationId, IReadOnlyList<string> organizations, CancellationToken cancellationToken)
    {
        if (organizations.Count == 0)
        {
            return;
        }

        var known = await db.Organizations.AsNoTracking()
            .Where(o => o.ApplicationId == applicationId && organizations.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
        if (organizations.FirstOrDefault(o => !known.Contains(o)) is { } missing)
        {
            throw new UnknownOrganizationException(missing);
        }
    }

    private static void Apply(DeviceEntity entity, DeviceWrite write)
    {
        entity.DisplayName = write.DisplayName ?? entity.Id;
        entity.TemplateId = write.Template;
        entity.Enabled = write.Enabled;
        entity.Simulated = write.Simulated;
        entity.Organizations = JsonSerializer.Serialize(write.Organizations);
        entity.Approved = write.Approved;
        entity.ETag = NewETag();
    }

    private static DeviceWrite ToWrite(DeviceEntity e) =>
        new(e.DisplayName, e.TemplateId, e.Enabled, e.Simulated, Organizations(e), e.Approved);

    private static Device ToModel(DeviceEntity e) => new(
        e.Id, e.ETag, e.DisplayName, e.TemplateId, e.Enabled, e.Provisioned, e.Simulated, Organizations(e), e.ModelId,
        e.LastConnectTime, e.LastDisconnectTime, e.Approved);

    private static List<string> Organizations(DeviceEntity e) => JsonSerializer.Deserialize<List<string>>(e.Organizations) ?? [];

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}

/// <summary>A device write names an organization the application does not have; nothing was written.</summary>
public sealed class UnknownOrganizationException(string organization)
    : Exception($"organizations: the organization '{organization}' does not exist.")
{
    public string Organization { get; } = organization;
}

/// <summary>A concurrent write won; the caller should read again and retry.</summary>
public sealed class DeviceConflictException() : Exception("The device was changed by another request; read it again and retry.");
