using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Ownership;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Centrum.Twins.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Twins;

/// <summary>
/// The one way in to twins. Updates of one twin are serialised, so versions grow by exactly one per accepted update and
/// none is lost; the change, its outbox event and the new version are committed together, and the live event is
/// published after the commit, in version order. Refusals are problems: <c>NotFound</c> (no such device or module),
/// <c>PreconditionFailed</c> (a stale expected version), <c>TooLarge</c> (a document over IoT Hub's size limit) and
/// <c>Invalid</c> (a name, depth or value IoT Hub does not allow).
/// </summary>
/// <remarks>
/// Whether a device exists is asked of the devices area before a twin row is first created, outside the write's
/// transaction. The twin's foreign key to its device (with cascade) keeps the guarantee the single query gave: a device
/// deleted between the answer and the commit makes the insert fail rather than leave an orphaned twin, and a deletion
/// after the commit removes the twin with the device.
/// <para>
/// Writes go through the metadata store's group commit (<see cref="MetadataWriter"/>): many devices' updates share one
/// durable transaction, and each caller is answered only after the commit that holds its update, as IoT Hub answers a
/// reported patch only once the twin is stored. The twin's lock is held from the read to that commit, so the next update
/// of the same twin reads the committed document and version: versions still grow by exactly one, in order.
/// </para>
/// </remarks>
public sealed class TwinService(
    IDbContextFactory<CentrumDbContext> contexts, IDeviceDirectory devices, IModulePresence modules, MetadataWriter writer, TimeProvider time, ILogger<TwinService> logger)
{
    private readonly TwinLocks _locks = new();

    /// <summary>A device's twin exists with the device; a module's twin with the module identity (IoT Hub's module twins).</summary>
    private ValueTask<bool> ExistsAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken) =>
        moduleId is null ? devices.ExistsAsync(applicationId, deviceId, cancellationToken) : devices.ModuleExistsAsync(applicationId, deviceId, moduleId, cancellationToken);

    public async Task<Twin?> GetAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Twins.AsNoTracking().FirstOrDefaultAsync(t => t.ApplicationId == applicationId && t.DeviceId == deviceId && t.ModuleId == (moduleId ?? ""), cancellationToken);
        if (entity is not null)
        {
            return ToModel(entity);
        }

        return await ExistsAsync(applicationId, deviceId, moduleId, cancellationToken)
            ? ToModel(await NewTwinAsync(applicationId, deviceId, moduleId, cancellationToken))
            : null;
    }

    /// <summary>
    /// The device twins (not the modules') of several devices of one application in one read, for callers that look at
    /// many devices at once (a device group's members). A device whose twin was never written is absent from the answer;
    /// its documents are empty.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Twin>> GetManyAsync(string applicationId, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (deviceIds.Count == 0)
        {
            return new Dictionary<string, Twin>();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.Twins.AsNoTracking()
            .Where(t => t.ApplicationId == applicationId && t.ModuleId == "" && deviceIds.Contains(t.DeviceId))
            .ToListAsync(cancellationToken);
        return entities.ToDictionary(e => e.DeviceId, ToModel, StringComparer.Ordinal);
    }

    /// <summary>A device reports: merge into reported, version + 1, kept in the event log with its time. The value is the new version.</summary>
    public Task<Outcome<long>> PatchReportedAsync(string applicationId, string deviceId, string? moduleId, JsonObject patch, long? expectedVersion, CancellationToken cancellationToken) =>
        UpdateAsync(applicationId, deviceId, moduleId, patch, reported: true, expectedVersion, replace: false, cancellationToken);

    /// <summary>
    /// The cloud writes desired properties: merge into desired, version + 1; the device is told through the event stream.
    /// The value is the new version. The patch is taken as the twin's own (IoT Hub's rules only); a write of a device's
    /// properties checked against its template goes through <see cref="PropertyService"/>.
    /// </summary>
    public Task<Outcome<long>> PatchDesiredAsync(string applicationId, string deviceId, string? moduleId, JsonObject patch, CancellationToken cancellationToken) =>
        UpdateAsync(applicationId, deviceId, moduleId, patch, reported: false, null, replace: false, cancellationToken);

    /// <summary>
    /// The cloud replaces the twin's desired properties as a whole (IoT Hub's <c>applyConfigurationContent</c> does for
    /// each module of an IoT Edge deployment): version + 1, and the device is told with the merge patch that turns the
    /// old document into <paramref name="desired"/> (properties no longer there are <c>null</c>).
    /// </summary>
    public Task<Outcome<long>> ReplaceDesiredAsync(string applicationId, string deviceId, string? moduleId, JsonObject desired, CancellationToken cancellationToken) =>
        UpdateAsync(applicationId, deviceId, moduleId, desired, reported: false, null, replace: true, cancellationToken);

    /// <summary>Cloud properties: merged and kept with their time, never part of the device's twin documents. The value is the merged cloud properties.</summary>
    public async Task<Outcome<JsonObject>> PatchCloudAsync(string applicationId, string deviceId, JsonObject patch, CancellationToken cancellationToken)
    {
        if (TwinDocuments.Validate(patch) is { } invalid)
        {
            Log.UpdateRefused(logger, applicationId, deviceId, null, "cloud", invalid);
            return Problem.Invalid(invalid);
        }

        var written = await WritePlatformAsync(applicationId, deviceId, null, patch, replace: false, cancellationToken);
        if (written.Succeeded)
        {
            Log.CloudUpdated(logger, applicationId, deviceId);
        }

        return written;
    }

    /// <summary>
    /// Records the deployment applied to an IoT Edge device (<see cref="DeploymentManifests.ApplyAsync(string, string, string?, string?, JsonObject, CancellationToken)"/>): kept by the
    /// platform in its <c>$edgeAgent</c> twin's platform-kept document, never sent to the device and not among the
    /// module's properties (a module has no cloud properties). It replaces the deployment recorded before.
    /// </summary>
    public Task<Outcome<JsonObject>> RecordDeploymentAsync(string applicationId, string deviceId, JsonObject deployment, CancellationToken cancellationToken) =>
        WritePlatformAsync(applicationId, deviceId, EdgeAgentModule, new JsonObject { [DeploymentKey] = deployment.DeepClone() }, replace: true, cancellationToken);

    /// <summary>The deployment last applied to the IoT Edge device, as <see cref="RecordDeploymentAsync"/> kept it; null when none was.</summary>
    public async Task<JsonObject?> DeploymentOfAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        var agent = await ReadAsync(applicationId, deviceId, EdgeAgentModule, cancellationToken);
        return agent is null ? null : TwinDocuments.Parse(agent.CloudProperties)[DeploymentKey]?.DeepClone() as JsonObject;
    }

    private const string EdgeAgentModule = "$edgeAgent";

    private const string DeploymentKey = "deployment";

    /// <summary>
    /// Writes the platform-kept document of a twin (a device's cloud properties; the deployment record of an
    /// <c>$edgeAgent</c> twin): merged, or with <paramref name="replace"/> each key of the patch replaced whole. Only the
    /// device's own cloud properties are a device event.
    /// </summary>
    private async Task<Outcome<JsonObject>> WritePlatformAsync(string applicationId, string deviceId, string? moduleId, JsonObject patch, bool replace, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(applicationId, deviceId, moduleId, cancellationToken);
        var entity = await ReadAsync(applicationId, deviceId, moduleId ?? "", cancellationToken);
        var first = entity is null;
        var read = (entity?.DesiredVersion ?? 0, entity?.ReportedVersion ?? 0);
        if (entity is null)
        {
            if (!await ExistsAsync(applicationId, deviceId, moduleId, cancellationToken))
            {
                return Problem.NotFound(moduleId is null ? $"Device '{deviceId}' was not found." : $"Module '{moduleId}' of device '{deviceId}' was not found.");
            }

            entity = await NewTwinAsync(applicationId, deviceId, moduleId, cancellationToken);
        }

        var now = time.GetUtcNow();
        var document = TwinDocuments.Parse(entity.CloudProperties);
        if (replace)
        {
            foreach (var (name, _) in patch)
            {
                document.Remove(name);
            }
        }

        TwinDocuments.Merge(document, patch);
        var metadata = TwinDocuments.Parse(entity.CloudMetadata);
        TwinDocuments.UpdateMetadata(metadata, patch, now, null);
        entity.CloudProperties = document.ToJsonString();
        entity.CloudMetadata = metadata.ToJsonString();
        var kind = moduleId is null ? DeviceEventKind.CloudPropertiesChanged : (DeviceEventKind?)null;
        if (await CommitAsync(entity, first ? null : read, kind, new JsonObject { ["patch"] = patch.DeepClone() }, moduleId, now, cancellationToken) is { } gone)
        {
            return gone;
        }

        return document;
    }

    /// <summary>
    /// A twin's first state. A custom module of an IoT Edge device that took a deployment starts with the desired
    /// properties the deployment gives it, as IoT Hub applies a deployment's content to a module created after it
    /// (IoT Hub REST reference, "Configuration - Apply On Edge Device": the content is the device's configuration, and
    /// the IoT Edge runtime's identity service creates the modules it names afterwards).
    /// </summary>
    private async Task<TwinEntity> NewTwinAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
    {
        var entity = new TwinEntity { ApplicationId = applicationId, DeviceId = deviceId, ModuleId = moduleId ?? "" };
        if (moduleId is null || moduleId.StartsWith('$'))
        {
            return entity;
        }

        var deployment = await DeploymentOfAsync(applicationId, deviceId, cancellationToken);
        if (deployment?["data"]?["modulesContent"]?[moduleId]?["properties.desired"] is JsonObject desired)
        {
            var metadata = new JsonObject();
            TwinDocuments.UpdateMetadata(metadata, desired, time.GetUtcNow(), entity.DesiredVersion);
            entity.Desired = desired.ToJsonString();
            entity.DesiredMetadata = metadata.ToJsonString();
        }

        return entity;
    }

    private async Task<Outcome<long>> UpdateAsync(
        string applicationId, string deviceId, string? moduleId, JsonObject patch, bool reported, long? expectedVersion, bool replace, CancellationToken cancellationToken)
    {
        using var span = TwinsTracing.Source.StartActivity(reported ? "twins.update_reported" : "twins.update_desired");
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        if (TwinDocuments.Validate(patch) is { } invalid)
        {
            Log.UpdateRefused(logger, applicationId, deviceId, moduleId, reported ? "reported" : "desired", invalid);
            return Problem.Invalid(invalid);
        }

        using var held = await _locks.AcquireAsync(applicationId, deviceId, moduleId, cancellationToken);
        var entity = await ReadAsync(applicationId, deviceId, moduleId ?? "", cancellationToken);
        var first = entity is null;
        var read = (entity?.DesiredVersion ?? 0, entity?.ReportedVersion ?? 0);
        if (entity is null)
        {
            if (!await ExistsAsync(applicationId, deviceId, moduleId, cancellationToken))
            {
                return Problem.NotFound(moduleId is null ? $"Device '{deviceId}' was not found." : $"Module '{moduleId}' of device '{deviceId}' was not found.");
            }

            entity = await NewTwinAsync(applicationId, deviceId, moduleId, cancellationToken);
        }

        var current = reported ? entity.ReportedVersion : entity.DesiredVersion;
        if (expectedVersion is not null && expectedVersion != current)
        {
            Log.VersionMismatch(logger, applicationId, deviceId, reported ? "reported" : "desired", current, expectedVersion);
            return Problem.PreconditionFailed($"The twin's version is {current}, not {expectedVersion}.");
        }

        var document = TwinDocuments.Parse(reported ? entity.Reported : entity.Desired);
        if (replace)
        {
            patch = TwinDocuments.ReplacementPatch(document, patch);
        }

        TwinDocuments.Merge(document, patch);
        var size = TwinDocuments.Size(document);
        if (size > TwinLimits.MaxDocumentSize)
        {
            var reason = $"The {(reported ? "reported" : "desired")} properties would be {size} bytes; the limit is {TwinLimits.MaxDocumentSize}.";
            Log.UpdateRefused(logger, applicationId, deviceId, moduleId, reported ? "reported" : "desired", reason);
            return Problem.TooLarge(reason);
        }

        var now = time.GetUtcNow();
        var version = current + 1;
        var metadata = TwinDocuments.Parse(reported ? entity.ReportedMetadata : entity.DesiredMetadata);
        TwinDocuments.UpdateMetadata(metadata, patch, now, version);
        if (reported)
        {
            entity.Reported = document.ToJsonString();
            entity.ReportedMetadata = metadata.ToJsonString();
            entity.ReportedVersion = version;
        }
        else
        {
            entity.Desired = document.ToJsonString();
            entity.DesiredMetadata = metadata.ToJsonString();
            entity.DesiredVersion = version;
        }

        var kind = reported ? DeviceEventKind.ReportedPropertiesChanged : DeviceEventKind.DesiredPropertiesChanged;
        var data = new JsonObject { ["version"] = version, ["patch"] = patch.DeepClone() };
        if (await CommitAsync(entity, first ? null : read, kind, data, moduleId, now, cancellationToken) is { } gone)
        {
            return gone;
        }

        if (reported)
        {
            Log.ReportedUpdated(logger, applicationId, deviceId, moduleId, version, size);
        }
        else
        {
            Log.DesiredUpdated(logger, applicationId, deviceId, moduleId, version, size);
        }
        return version;
    }

    /// <summary>The twin as committed; read without tracking, since the write happens in the writer's context.</summary>
    private async Task<TwinEntity?> ReadAsync(string applicationId, string deviceId, string module, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Twins.AsNoTracking().FirstOrDefaultAsync(t => t.ApplicationId == applicationId && t.DeviceId == deviceId && t.ModuleId == module, cancellationToken);
    }

    /// <summary>
    /// Commits the twin's new state and its event in the next group commit; a problem when the device or the module is
    /// gone. The caller holds the twin's lock until this returns, so no other update of the twin reads before the commit.
    /// A module twin's first row is added only if the module identity is still there in the commit's own transaction:
    /// the twins table's foreign key names the device, not the module, and a module deleted after the existence check
    /// above would otherwise leave the row behind. Module deletions go through the same group commit (and, on
    /// PostgreSQL, the same per-application lock), so nothing can come between this check and the insert.
    /// </summary>
    /// <param name="read">The versions the update was made from; null for a twin's first row.</param>
    private async Task<Problem?> CommitAsync(
        TwinEntity entity, (long Desired, long Reported)? read, DeviceEventKind? kind, JsonObject data, string? moduleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var moduleGone = false;
        try
        {
            await writer.WriteAsync(entity.ApplicationId, async (unit, ct) =>
            {
                moduleGone = false;
                if (read is null && moduleId is not null && !await modules.ExistsAsync(unit.Db, entity.ApplicationId, entity.DeviceId, moduleId, ct))
                {
                    moduleGone = true;
                    return;
                }

                if (read is not { } versions)
                {
                    unit.Db.Twins.Add(entity);
                }
                else
                {
                    // Each side's version is its concurrency token: the row is updated only if it still has the versions
                    // this update was made from.
                    var entry = unit.Db.Twins.Update(entity);
                    entry.Property(t => t.DesiredVersion).OriginalValue = versions.Desired;
                    entry.Property(t => t.ReportedVersion).OriginalValue = versions.Reported;
                }

                if (kind is { } recorded)
                {
                    unit.Append(recorded, entity.DeviceId, data, moduleId, time: now);
                }
            }, cancellationToken);
            return moduleGone ? Problem.NotFound($"Module '{moduleId}' of device '{entity.DeviceId}' was not found.") : null;
        }
        catch (DbUpdateException)
        {
            // The device was deleted between the read above and this commit: its first twin row breaks the foreign
            // key, or the twin row went with the device and the update finds none. The answer is the deleted device's.
            if (!await devices.ExistsAsync(entity.ApplicationId, entity.DeviceId, CancellationToken.None))
            {
                return Problem.NotFound($"Device '{entity.DeviceId}' was not found.");
            }

            // A module twin's row goes with its module: an update of a module deleted meanwhile finds none.
            if (moduleId is not null && !await devices.ModuleExistsAsync(entity.ApplicationId, entity.DeviceId, moduleId, CancellationToken.None))
            {
                return Problem.NotFound($"Module '{moduleId}' of device '{entity.DeviceId}' was not found.");
            }

            throw;
        }
    }

    /// <summary>A module has no cloud properties: what the platform keeps in its twin (a deployment record) is not shown as any.</summary>
    private static Twin ToModel(TwinEntity e) => new(
        TwinDocuments.Parse(e.Desired), e.DesiredVersion, TwinDocuments.Parse(e.DesiredMetadata),
        TwinDocuments.Parse(e.Reported), e.ReportedVersion, TwinDocuments.Parse(e.ReportedMetadata),
        e.ModuleId.Length == 0 ? TwinDocuments.Parse(e.CloudProperties) : [], e.ModuleId.Length == 0 ? TwinDocuments.Parse(e.CloudMetadata) : []);
}
