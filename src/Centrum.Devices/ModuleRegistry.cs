using System.Security.Cryptography;
using System.Text.Json;
using Centrum.Devices.Internal;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Centrum.Storage.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices;

/// <summary>
/// The module identities of IoT Edge devices (IoT Hub REST reference, "Modules - Create Or Update Identity", "Get
/// Identity", "Delete Identity", "Get Modules On Device"), and the owner of their rules: only an IoT Edge device holds
/// modules, ids are valid, <c>If-Match</c> decides create against update, keys are stored protected as a device's are.
/// The edge device itself (through the gateway's device-scope registry calls) and operators (through REST, within
/// their organization reach) meet the same rules.
/// </summary>
public sealed class ModuleRegistry(
    IDbContextFactory<CentrumDbContext> contexts,
    DeviceRegistry devices,
    ISecretProtector secrets,
    MetadataWriter writer,
    IDeviceConnections connections,
    IEnumerable<IAreaData> areas,
    TimeProvider time,
    ILogger<ModuleRegistry> logger)
{
    /// <summary>
    /// Modules one edge device holds at most: IoT Edge runs a handful to a few dozen, and IoT Hub's registry queries
    /// answer an edge device's modules in one response, so one bound keeps that response and its decryption small.
    /// </summary>
    public const int MaxModulesPerDevice = 50;

    /// <summary>The device's modules in id order; the IoT Edge runtime's own modules are created first if missing.</summary>
    public async Task<Outcome<IReadOnlyList<ModuleIdentity>>> ListAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (await EdgeDeviceProblemAsync(applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Scoped(db, applicationId, deviceId).AsNoTracking().OrderBy(m => m.Id).Take(MaxModulesPerDevice).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    public async Task<Outcome<ModuleIdentity>> GetAsync(string applicationId, string deviceId, string moduleId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (await EdgeDeviceProblemAsync(applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId, deviceId).AsNoTracking().FirstOrDefaultAsync(m => m.Id == moduleId, cancellationToken);
        return row is null ? ModuleNotFound(deviceId, moduleId) : ToModel(row);
    }

    /// <summary>
    /// Creates the module when <paramref name="ifMatch"/> is null (one that exists is a conflict), else updates it:
    /// <c>*</c> matches any etag. An update keeps the generation id, so keys the Edge runtime derived from it stay valid;
    /// keys given replace the module's (the runtime's identity service sets its own derived keys this way).
    /// </summary>
    public async Task<Outcome<ModuleIdentity>> CreateOrUpdateAsync(
        string applicationId, string deviceId, string moduleId, ModuleWrite write, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!ModuleIds.IsValid(moduleId))
        {
            return Problem.Invalid($"Module id '{moduleId}' is not valid: use 1 to {ModuleIds.MaxLength} letters, digits, '-', '.', '_' or ':'.");
        }

        if (Refuse(write) is { } refused)
        {
            return refused;
        }

        if (await EdgeDeviceProblemAsync(applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId, deviceId).FirstOrDefaultAsync(m => m.Id == moduleId, cancellationToken);
        if (ifMatch is null)
        {
            if (row is not null)
            {
                return Problem.Conflict($"Module '{moduleId}' already exists on device '{deviceId}'.");
            }

            if (await Scoped(db, applicationId, deviceId).CountAsync(cancellationToken) >= MaxModulesPerDevice)
            {
                return new Problem(ProblemKind.LimitReached, "QuotaExceeded", $"Device '{deviceId}' already holds {MaxModulesPerDevice} modules.");
            }

            row = NewModule(applicationId, deviceId, moduleId, write.Keys);
            db.Modules.Add(row);
        }
        else if (row is null)
        {
            return ModuleNotFound(deviceId, moduleId);
        }
        else if (ifMatch != "*" && ifMatch != row.ETag)
        {
            return Problem.PreconditionFailed($"The etag of module '{moduleId}' does not match; read it again.");
        }
        else if (write.Keys is { } keys)
        {
            row.PrimaryKeyProtected = secrets.Protect(keys.PrimaryKey);
            row.SecondaryKeyProtected = secrets.Protect(keys.SecondaryKey);
        }

        row.ManagedBy = write.ManagedBy ?? row.ManagedBy;
        row.AuthenticationType = write.AuthenticationType ?? row.AuthenticationType;
        if (write.AuthenticationType is not null)
        {
            // A module changing how it authenticates keeps no thumbprint of the old way.
            var selfSigned = write.AuthenticationType == "selfSigned";
            row.X509PrimaryThumbprint = selfSigned ? write.PrimaryThumbprint!.ToUpperInvariant() : null;
            row.X509SecondaryThumbprint = selfSigned ? write.SecondaryThumbprint?.ToUpperInvariant() : null;
        }

        row.ETag = NewETag();
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        if (ifMatch is null)
        {
            Log.ModuleCreated(logger, applicationId, deviceId, moduleId);
        }
        else
        {
            Log.ModuleUpdated(logger, applicationId, deviceId, moduleId, write.Keys is not null);
        }

        return ToModel(row);
    }

    /// <summary>Deletes the module; <paramref name="ifMatch"/> null or <c>*</c> deletes whatever its etag.</summary>
    public async Task<Outcome<ModuleIdentity>> DeleteAsync(
        string applicationId, string deviceId, string moduleId, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (await EdgeDeviceProblemAsync(applicationId, deviceId, reach, cancellationToken) is { } problem)
        {
            return problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId, deviceId).FirstOrDefaultAsync(m => m.Id == moduleId, cancellationToken);
        if (row is null)
        {
            return ModuleNotFound(deviceId, moduleId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != row.ETag)
        {
            return Problem.PreconditionFailed($"The etag of module '{moduleId}' does not match; read it again.");
        }

        // The identity, and what every area keeps for the module alone (its twin, its persistent MQTT session, its
        // command history), go in one commit; the row is deleted only if it still has the etag read above, so a
        // module re-created meanwhile stays.
        var deleted = false;
        var etag = row.ETag;
        await writer.WriteAsync(applicationId, async (unit, ct) =>
        {
            deleted = await Scoped(unit.Db, applicationId, deviceId).Where(m => m.Id == moduleId && m.ETag == etag).ExecuteDeleteAsync(ct) == 1;
            if (!deleted)
            {
                return;
            }

            foreach (var area in areas)
            {
                await area.ReleaseModuleAsync(unit.Db, applicationId, deviceId, moduleId, ct);
            }
        }, cancellationToken);
        if (!deleted)
        {
            return Problem.Conflict("The module was changed by another request; read it again and retry.");
        }

        Log.ModuleDeleted(logger, applicationId, deviceId, moduleId);
        // IoT Hub closes a deleted identity's connection; its credentials no longer authenticate a new one.
        await connections.DisconnectModuleAsync(applicationId, deviceId, moduleId, "module deleted");
        return ToModel(row);
    }

    /// <summary>
    /// Tokens the IoT Edge identity service signs live 30 seconds (Azure/iot-identity-service
    /// <c>identity/aziot-cloud-client-async/src/connector.rs</c>); a minute of skew, as the gateway allows, keeps a host
    /// whose clock is a little behind working.
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether <paramref name="authorization"/> is a SAS token of the enabled, approved device itself
    /// (<c>{hubHost}/devices/{deviceId}</c>, signed with one of its keys): the credential IoT Hub's device-scope registry
    /// calls carry, which the IoT Edge identity service makes for its own device's modules.
    /// </summary>
    public async Task<bool> IsDeviceTokenAsync(string applicationId, string hubHost, string deviceId, string? authorization, CancellationToken cancellationToken)
    {
        if (!SharedAccessSignature.TryParse(authorization, out var token) || !SasResource.Names(token!.Resource, hubHost, deviceId, null)
            || token.IsExpired(time.GetUtcNow(), ClockSkew))
        {
            return false;
        }

        var device = await devices.FindForAuthenticationAsync(applicationId, deviceId, cancellationToken);
        return device is { Enabled: true, Approved: true }
            && ((SymmetricKeys.TryDecode(device.Keys.PrimaryKey, out var primary) && token.IsSignedBy(primary))
                || (SymmetricKeys.TryDecode(device.Keys.SecondaryKey, out var secondary) && token.IsSignedBy(secondary)));
    }

    /// <summary>The module and its device's state, for the gateway; null when either does not exist.</summary>
    public async Task<ModuleAuthentication?> FindForAuthenticationAsync(string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (
                from m in Scoped(db, applicationId, deviceId).AsNoTracking()
                join d in db.Devices.AsNoTracking() on new { m.ApplicationId, Id = m.DeviceId } equals new { d.ApplicationId, d.Id }
                where m.Id == moduleId
                select new { d.Enabled, d.Approved, m.AuthenticationType, m.PrimaryKeyProtected, m.SecondaryKeyProtected, m.X509PrimaryThumbprint, m.X509SecondaryThumbprint })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? null
            : new ModuleAuthentication(deviceId, moduleId, row.Enabled, row.Approved, row.AuthenticationType,
                new DeviceKeys(secrets.Unprotect(row.PrimaryKeyProtected), secrets.Unprotect(row.SecondaryKeyProtected)),
                row.X509PrimaryThumbprint, row.X509SecondaryThumbprint);
    }

    /// <summary>The IoT Edge runtime's own modules of an edge device, created when missing; a problem for any other device.</summary>
    public Task<Problem?> EnsureSystemModulesAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken) =>
        EdgeDeviceProblemAsync(applicationId, deviceId, reach, cancellationToken);

    /// <summary>
    /// Refuses a device that is not there, not in reach, or not an IoT Edge device; for an edge device, creates the IoT
    /// Edge runtime's own modules when missing. IoT Hub holds <c>$edgeAgent</c> and <c>$edgeHub</c> from the device's
    /// creation, and the runtime only ever updates them (aziot-edged updates <c>$edgeAgent</c> at start-up, Azure/iotedge
    /// <c>edgelet/aziot-edged/src/watchdog.rs</c>); made here, at the first registry call, a device made an edge device
    /// later gets them too.
    /// </summary>
    private async Task<Problem?> EdgeDeviceProblemAsync(string applicationId, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var device = await db.Devices.AsNoTracking().Where(d => d.ApplicationId == applicationId && d.Id == deviceId)
            .Select(d => new { d.IotEdge, d.Organizations }).FirstOrDefaultAsync(cancellationToken);
        if (device is null || !reach.Reaches(JsonSerializer.Deserialize<List<string>>(device.Organizations) ?? []))
        {
            return Problem.NotFound($"Device '{deviceId}' was not found.");
        }

        if (!device.IotEdge)
        {
            return Problem.Invalid($"Device '{deviceId}' is not an IoT Edge device; only IoT Edge devices hold modules.");
        }

        var present = await Scoped(db, applicationId, deviceId).Where(m => m.Id == ModuleIds.EdgeAgent || m.Id == ModuleIds.EdgeHub)
            .Select(m => m.Id).ToListAsync(cancellationToken);
        if (present.Count == ModuleIds.System.Count)
        {
            return null;
        }

        foreach (var id in ModuleIds.System.Except(present))
        {
            var module = NewModule(applicationId, deviceId, id, null);
            module.ManagedBy = "iotEdge";
            db.Modules.Add(module);
        }

        // A concurrent first call may have created them: either way they exist now.
        await SaveAsync(db, cancellationToken);
        return null;
    }

    private ModuleEntity NewModule(string applicationId, string deviceId, string moduleId, DeviceKeys? keys) => new()
    {
        ApplicationId = applicationId,
        DeviceId = deviceId,
        Id = moduleId,
        GenerationId = GenerationIds.New(),
        ETag = NewETag(),
        PrimaryKeyProtected = secrets.Protect(keys?.PrimaryKey ?? SymmetricKeys.Generate()),
        SecondaryKeyProtected = secrets.Protect(keys?.SecondaryKey ?? SymmetricKeys.Generate()),
        CreatedAt = time.GetUtcNow(),
    };

    private static Problem? Refuse(ModuleWrite write)
    {
        if (write.AuthenticationType is not (null or "sas" or "selfSigned" or "none"))
        {
            return Problem.Invalid($"Authentication type '{write.AuthenticationType}' is not supported: use 'sas', 'selfSigned' or 'none'.");
        }

        if (write.AuthenticationType == "selfSigned"
            && (!IsThumbprint(write.PrimaryThumbprint) || (write.SecondaryThumbprint is not null && !IsThumbprint(write.SecondaryThumbprint))))
        {
            return Problem.Invalid("A selfSigned module needs x509Thumbprint.primaryThumbprint (and any secondaryThumbprint) as a SHA-1 or SHA-256 thumbprint in hex.");
        }

        if (write.Keys is { } keys && !(SymmetricKeys.TryDecode(keys.PrimaryKey, out _) && SymmetricKeys.TryDecode(keys.SecondaryKey, out _)))
        {
            return Problem.Invalid("The module's symmetric keys must be base64.");
        }

        return write.ManagedBy is { Length: > 128 } ? Problem.Invalid("managedBy is at most 128 characters.") : null;
    }

    /// <summary>40 (SHA-1) or 64 (SHA-256) hex digits, the thumbprints IoT Hub takes for self-signed identities.</summary>
    private static bool IsThumbprint(string? text) => text is { Length: 40 or 64 } && text.All(char.IsAsciiHexDigit);

    private static async Task<Problem?> SaveAsync(CentrumDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            return Problem.Conflict("The module was changed by another request; read it again and retry.");
        }
    }

    internal ModuleIdentity ToModel(ModuleEntity e) => new(
        e.DeviceId, e.Id, e.GenerationId, e.ETag, e.ManagedBy, e.AuthenticationType,
        new DeviceKeys(secrets.Unprotect(e.PrimaryKeyProtected), secrets.Unprotect(e.SecondaryKeyProtected)), e.CreatedAt,
        e.X509PrimaryThumbprint, e.X509SecondaryThumbprint);

    private static IQueryable<ModuleEntity> Scoped(CentrumDbContext db, string applicationId, string deviceId) =>
        db.Modules.Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId);

    private static Problem ModuleNotFound(string deviceId, string moduleId) => Problem.NotFound($"Module '{moduleId}' was not found on device '{deviceId}'.");

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
