using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Twins.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Twins;

/// <summary>An IoT Edge deployment manifest (IoT Central REST API 2022-10-31-preview, <c>DeploymentManifest</c>).</summary>
public sealed record DeploymentManifest(string Id, string DisplayName, JsonObject Data, IReadOnlyList<string> Organizations, string ETag);

/// <summary>What a create or update sets; null fields keep the manifest's.</summary>
public sealed record DeploymentManifestWrite(string? DisplayName, JsonObject? Data, IReadOnlyList<string>? Organizations);

public sealed record DeploymentManifestPage(IReadOnlyList<DeploymentManifest> Manifests, string? ContinueAfter);

/// <summary>
/// The application's IoT Edge deployment manifests and their application to edge devices. A manifest's <c>data</c> is
/// the standard IoT Edge manifest (<c>modulesContent</c>: <c>$edgeAgent</c>, <c>$edgeHub</c> and custom modules, each
/// with <c>properties.desired</c>), checked here against the schemas the Azure IoT Edge runtime accepts (Azure/iotedge
/// <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.Core/DeploymentConfig.cs</c> and
/// <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/config/EdgeHubConfigParser.cs</c>) and the twin limits
/// each module's desired properties must meet. Manifests belong to at most one organization, as the preview API allows.
/// </summary>
public sealed class DeploymentManifests(
    IDbContextFactory<CentrumDbContext> contexts,
    IOrganizationCatalog organizations,
    IDeviceDirectory devices,
    TwinService twins,
    TimeProvider time,
    ILogger<DeploymentManifests> logger)
{
    public const int MaxPageSize = 100;

    /// <summary>IoT Central's <c>deploymentManifestId</c>: at most 255 characters of <c>[a-zA-Z0-9:;]</c> (REST API 2022-10-31-preview swagger).</summary>
    public const int MaxIdLength = 255;

    /// <summary>Manifests per application: a bound on what one list reads and one application stores.</summary>
    public const int MaxManifests = 1000;

    /// <summary>Modules one manifest names at most, its runtime's two included: IoT Edge runs a handful to a few dozen.</summary>
    public const int MaxModules = 50;

    /// <summary>A manifest's <c>data</c>, serialized: every module's desired document is at most 32 KB, so this bounds the whole.</summary>
    public const int MaxDataBytes = 512 * 1024;

    public const int MaxDisplayNameLength = 1024;

    private const string EdgeAgent = "$edgeAgent";

    private const string EdgeHub = "$edgeHub";

    private const string Desired = "properties.desired";

    public async Task<Outcome<DeploymentManifestPage>> ListAsync(string applicationId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problem.Invalid($"maxpagesize must be between 1 and {MaxPageSize}.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Scoped(db, applicationId).AsNoTracking();
        if (after is not null)
        {
            query = query.Where(m => string.Compare(m.Id, after) > 0);
        }

        var rows = await query.OrderBy(m => m.Id).Take(MaxManifests + 1).ToListAsync(cancellationToken);
        var reached = rows.Where(r => reach.Reaches(Owners(r))).Take(pageSize + 1).ToList();
        return new DeploymentManifestPage(reached.Take(pageSize).Select(ToModel).ToList(), reached.Count > pageSize ? reached[pageSize - 1].Id : null);
    }

    public async Task<Outcome<DeploymentManifest>> GetAsync(string applicationId, string manifestId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(m => m.Id == manifestId, cancellationToken);
        return row is not null && reach.Reaches(Owners(row)) ? ToModel(row) : NotFound(manifestId);
    }

    /// <summary><c>DeploymentManifests_Create</c> (a PUT): creates the manifest or replaces one the caller reaches.</summary>
    public Task<Outcome<DeploymentManifest>> CreateOrReplaceAsync(
        string applicationId, string manifestId, DeploymentManifestWrite write, OrganizationReach reach, CancellationToken cancellationToken) =>
        WriteAsync(applicationId, manifestId, _ => write, null, create: true, reach, cancellationToken);

    /// <summary><c>DeploymentManifests_Update</c> (a merge PATCH): <paramref name="update"/> makes the write from the manifest as it is.</summary>
    public Task<Outcome<DeploymentManifest>> UpdateAsync(
        string applicationId, string manifestId, Func<DeploymentManifest, Outcome<DeploymentManifestWrite>> update, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken) =>
        WriteAsync(applicationId, manifestId, update, ifMatch, create: false, reach, cancellationToken);

    public async Task<Outcome<DeploymentManifest>> DeleteAsync(string applicationId, string manifestId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId).FirstOrDefaultAsync(m => m.Id == manifestId, cancellationToken);
        if (row is null || !reach.Reaches(Owners(row)))
        {
            return NotFound(manifestId);
        }

        db.DeploymentManifests.Remove(row);
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        Log.ManifestDeleted(logger, applicationId, manifestId);
        return ToModel(row);
    }

    /// <summary>
    /// <c>Devices_ApplyManifest</c>: writes the manifest into the IoT Edge device's module twins as IoT Hub's
    /// <c>applyConfigurationContent</c> does (IoT Hub REST reference, "Configuration - Apply On Edge Device"): each
    /// module's <c>properties.desired</c> replaces that module twin's desired properties, <c>$edgeAgent</c>'s (runtime,
    /// system modules, modules) and <c>$edgeHub</c>'s (routes, store and forward) first. The device must be an IoT Edge
    /// device the caller reaches (the caller checks that). Custom modules that have no identity yet are left to the
    /// device: on IoT Hub, the IoT Edge runtime's identity service creates the identities of the modules of the
    /// deployment edgeAgent receives (Azure/iot-identity-service <c>identity/aziot-identityd/src/lib.rs</c>,
    /// <c>reconcile</c>, and Azure/iotedge <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.Edgelet/ModuleIdentityLifecycleManager.cs</c>).
    /// The value is the names of the modules whose twins were written.
    /// </summary>
    public async Task<Outcome<AppliedDeployment>> ApplyAsync(string applicationId, string deviceId, JsonObject data, CancellationToken cancellationToken) =>
        await ApplyAsync(applicationId, deviceId, null, null, data, cancellationToken);

    /// <summary>
    /// As <see cref="ApplyAsync(string, string, JsonObject, CancellationToken)"/>, and records the deployment the device now
    /// has: the manifest <paramref name="manifestId"/> names (with the etag of its content when the application keeps
    /// it), its display name and the normalised data applied. A module created afterwards starts with the desired
    /// properties this data gives it (<see cref="TwinService"/>), and the device's REST representation shows the record
    /// as its <c>deploymentManifest</c> (REST API 2022-10-31-preview, <c>Device.deploymentManifest</c>). Deleting the
    /// manifest later leaves the record, as it leaves the configuration the device runs: the preview API's
    /// <c>DeploymentManifests_Remove</c> answers only 204, with no refusal for a manifest in use.
    /// </summary>
    public async Task<Outcome<AppliedDeployment>> ApplyAsync(
        string applicationId, string deviceId, string? manifestId, string? displayName, JsonObject data, CancellationToken cancellationToken)
    {
        if (Validate(data) is { } invalid)
        {
            return Problem.Invalid(invalid);
        }

        data = Normalized(data);
        string? etag = null;
        if (manifestId is not null)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await Scoped(db, applicationId).AsNoTracking().FirstOrDefaultAsync(m => m.Id == manifestId, cancellationToken) is { } stored)
            {
                etag = stored.ETag;
                displayName ??= stored.DisplayName;
            }
        }

        var record = new JsonObject { ["id"] = manifestId, ["displayName"] = displayName, ["etag"] = etag, ["data"] = data.DeepClone() };
        if ((await twins.RecordDeploymentAsync(applicationId, deviceId, record, cancellationToken)).Problem is { } unrecorded)
        {
            return unrecorded;
        }

        var content = data["modulesContent"]!.AsObject();
        var written = new List<string>();
        var waiting = 0;
        var agentVersion = 0L;
        foreach (var (moduleId, module) in content.OrderBy(m => m.Key == EdgeAgent ? 0 : m.Key == EdgeHub ? 1 : 2))
        {
            var isSystem = moduleId is EdgeAgent or EdgeHub;
            if (!isSystem && !await devices.ModuleExistsAsync(applicationId, deviceId, moduleId, cancellationToken))
            {
                waiting++;
                continue;
            }

            var desired = module![Desired]!.AsObject();
            var replaced = await twins.ReplaceDesiredAsync(applicationId, deviceId, moduleId, (JsonObject)desired.DeepClone(), cancellationToken);
            if (!replaced.Succeeded)
            {
                return replaced.Problem;
            }

            written.Add(moduleId);
            if (moduleId == EdgeAgent)
            {
                agentVersion = replaced.Value;
            }
        }

        Log.ManifestApplied(logger, applicationId, deviceId, written.Count, waiting);
        return new AppliedDeployment(written, agentVersion);
    }

    /// <summary>
    /// The manifest as IoT Central keeps it: a <c>$edgeAgent</c> or <c>$edgeHub</c> of schema version 1.0 is raised to
    /// 1.1 (IoT Central documentation, "Manage IoT Edge deployment manifests with the REST API": a manifest created with
    /// <c>"schemaVersion": "1.0"</c> is returned with <c>"1.1"</c>). edgeAgent's 1.1 only adds optional settings
    /// (<c>startupOrder</c>), and edgeHub's 1.1 reads 1.0's route strings unchanged but requires a
    /// <c>storeAndForwardConfiguration</c>: a 1.0 manifest without one gets IoT Edge's default time to live, 7200
    /// seconds (Azure/iotedge <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/config/EdgeHubDesiredProperties_1_1.cs</c>
    /// and the IoT Edge documentation, "Properties of the IoT Edge hub module twin"). <paramref name="data"/> must have
    /// passed <see cref="Validate"/>; it is not changed.
    /// </summary>
    public static JsonObject Normalized(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var normalized = (JsonObject)data.DeepClone();
        var content = normalized["modulesContent"]!.AsObject();
        if (content[EdgeAgent]?[Desired] is JsonObject agent && (string?)agent["schemaVersion"] == "1.0")
        {
            agent["schemaVersion"] = "1.1";
        }

        if (content[EdgeHub]?[Desired] is JsonObject hub && (string?)hub["schemaVersion"] == "1.0")
        {
            hub["schemaVersion"] = "1.1";
            if (hub["storeAndForwardConfiguration"] is not JsonObject)
            {
                hub["storeAndForwardConfiguration"] = new JsonObject { ["timeToLiveSecs"] = DefaultStoreAndForwardSeconds };
            }
        }

        return normalized;
    }

    /// <summary>IoT Edge's default store-and-forward time to live (IoT Edge documentation, "Properties of the IoT Edge hub module twin").</summary>
    public const int DefaultStoreAndForwardSeconds = 7200;

    /// <summary>Why <paramref name="data"/> is not a deployment manifest Centrum can apply; null when it is.</summary>
    public static string? Validate(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (System.Text.Encoding.UTF8.GetByteCount(data.ToJsonString()) > MaxDataBytes)
        {
            return $"data: a deployment manifest is at most {MaxDataBytes} bytes.";
        }

        if (data["modulesContent"] is not JsonObject content)
        {
            return "data: the manifest must have a 'modulesContent' object.";
        }

        if (content.Count > MaxModules)
        {
            return $"data.modulesContent: a manifest names at most {MaxModules} modules.";
        }

        foreach (var (moduleId, module) in content)
        {
            if (!(moduleId is EdgeAgent or EdgeHub || DeviceIds.IsValid(moduleId)))
            {
                return $"data.modulesContent: '{moduleId}' is not a valid module id.";
            }

            if (module is not JsonObject entry || entry[Desired] is not JsonObject desired)
            {
                return $"data.modulesContent.{moduleId}: the module must have a '{Desired}' object.";
            }

            if (TwinDocuments.Validate(desired) is { } refused)
            {
                return $"data.modulesContent.{moduleId}.{Desired}: {refused}";
            }

            if (TwinDocuments.Size(desired) > TwinLimits.MaxDocumentSize)
            {
                return $"data.modulesContent.{moduleId}.{Desired}: the desired properties are over {TwinLimits.MaxDocumentSize} bytes.";
            }
        }

        return EdgeAgentProblem(content[EdgeAgent]?[Desired] as JsonObject) ?? EdgeHubProblem(content[EdgeHub]?[Desired] as JsonObject);
    }

    /// <summary>
    /// edgeAgent's desired properties: a <c>schemaVersion</c> of major version 1 up to 1.1, and non-null <c>runtime</c>
    /// and <c>systemModules</c> with <c>edgeAgent</c> and <c>edgeHub</c> (Azure/iotedge
    /// <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.IoTHub/EdgeAgentConnection.cs</c>, <c>ExpectedSchemaVersion</c>,
    /// and <c>…Agent.Core/DeploymentConfig.cs</c>); <c>modules</c>, when present, an object of modules with a <c>type</c>.
    /// </summary>
    private static string? EdgeAgentProblem(JsonObject? desired)
    {
        const string at = "data.modulesContent.$edgeAgent.properties.desired";
        if (desired is null)
        {
            return $"data.modulesContent: the manifest must have '{EdgeAgent}' with '{Desired}'.";
        }

        if (!IsSchemaVersion(desired["schemaVersion"], "1.0", "1.1"))
        {
            return $"{at}.schemaVersion: must be \"1.0\" or \"1.1\".";
        }

        if (desired["runtime"] is not JsonObject runtime || runtime["type"] is null)
        {
            return $"{at}.runtime: an object with a 'type' is required.";
        }

        if (desired["systemModules"] is not JsonObject system || system["edgeAgent"] is not JsonObject || system["edgeHub"] is not JsonObject)
        {
            return $"{at}.systemModules: an object with 'edgeAgent' and 'edgeHub' is required.";
        }

        if (desired["modules"] is { } modules)
        {
            if (modules is not JsonObject named)
            {
                return $"{at}.modules: must be an object.";
            }

            foreach (var (name, module) in named)
            {
                if (!DeviceIds.IsValid(name) || module is not JsonObject m || m["type"] is null)
                {
                    return $"{at}.modules.{name}: a module needs a valid name and a 'type'.";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// edgeHub's desired properties: a <c>schemaVersion</c> from 1.0 to 1.3, <c>routes</c> an object of route strings or
    /// (from 1.1) route objects with a <c>route</c>, and, from 1.1, a <c>storeAndForwardConfiguration</c> object
    /// (Azure/iotedge <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/config/EdgeHubConfigParser.cs</c>,
    /// <c>EdgeHubDesiredProperties_1_1.cs</c>, <c>RouteSpecConverter.cs</c>).
    /// </summary>
    private static string? EdgeHubProblem(JsonObject? desired)
    {
        const string at = "data.modulesContent.$edgeHub.properties.desired";
        if (desired is null)
        {
            return $"data.modulesContent: the manifest must have '{EdgeHub}' with '{Desired}'.";
        }

        if (!IsSchemaVersion(desired["schemaVersion"], "1.0", "1.1", "1.2", "1.3"))
        {
            return $"{at}.schemaVersion: must be one of \"1.0\", \"1.1\", \"1.2\", \"1.3\".";
        }

        var legacy = (string)desired["schemaVersion"]! == "1.0";
        if (desired["routes"] is not JsonObject routes)
        {
            return $"{at}.routes: an object of routes is required.";
        }

        foreach (var (name, route) in routes)
        {
            var valid = route switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => true,
                JsonObject o when !legacy => o["route"] is JsonValue r && r.GetValueKind() == JsonValueKind.String,
                _ => false,
            };
            if (!valid)
            {
                return $"{at}.routes.{name}: a route is a string{(legacy ? "" : " or an object with a 'route' string")}.";
            }
        }

        return !legacy && desired["storeAndForwardConfiguration"] is not JsonObject
            ? $"{at}.storeAndForwardConfiguration: an object is required from schema version 1.1."
            : null;
    }

    private static bool IsSchemaVersion(JsonNode? node, params string[] accepted) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && accepted.Contains(v.GetValue<string>());

    private async Task<Outcome<DeploymentManifest>> WriteAsync(
        string applicationId, string manifestId, Func<DeploymentManifest, Outcome<DeploymentManifestWrite>> makeWrite, string? ifMatch, bool create,
        OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (manifestId.Length is 0 or > MaxIdLength || !manifestId.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or ';'))
        {
            return Problem.Invalid($"Deployment manifest id '{manifestId}' is not valid: use 1 to {MaxIdLength} letters, digits, ':' or ';'.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Scoped(db, applicationId).FirstOrDefaultAsync(m => m.Id == manifestId, cancellationToken);
        if (row is not null && !reach.Reaches(Owners(row)))
        {
            return NotFound(manifestId);
        }

        if (row is null && !create)
        {
            return NotFound(manifestId);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != row?.ETag)
        {
            return Problem.PreconditionFailed("The deployment manifest's etag does not match; read it again.");
        }

        var current = row is null ? new DeploymentManifest(manifestId, "", [], [], "") : ToModel(row);
        var made = makeWrite(current);
        if (!made.Succeeded)
        {
            return made.Problem;
        }

        var write = made.Value;
        var displayName = write.DisplayName ?? current.DisplayName;
        var data = write.Data ?? current.Data;
        var owners = write.Organizations ?? current.Organizations;
        if (displayName.Length is 0 or > MaxDisplayNameLength)
        {
            return Problem.Invalid($"displayName: 1 to {MaxDisplayNameLength} characters are required.");
        }

        if (Validate(data) is { } invalid)
        {
            return Problem.Invalid(invalid);
        }

        if (owners.Count > 1)
        {
            return Problem.Invalid("organizations: a deployment manifest belongs to one organization at most.");
        }

        if (owners.Count == 1 && (await organizations.UnknownAsync(applicationId, owners, cancellationToken)).Count > 0)
        {
            return Problem.Invalid($"organizations: the organization '{owners[0]}' does not exist.");
        }

        if (!reach.MayPlaceIn(owners))
        {
            return Problem.Forbidden("The deployment manifest must belong to an organization within your reach.");
        }

        if (row is null)
        {
            if (await Scoped(db, applicationId).CountAsync(cancellationToken) >= MaxManifests)
            {
                return new Problem(ProblemKind.LimitReached, "LimitReached", $"An application holds at most {MaxManifests} deployment manifests.");
            }

            row = new DeploymentManifestEntity { ApplicationId = applicationId, Id = manifestId, DisplayName = "", Data = "{}", ETag = "", CreatedAt = time.GetUtcNow() };
            db.DeploymentManifests.Add(row);
        }

        row.DisplayName = displayName;
        row.Data = Normalized(data).ToJsonString();
        row.Organizations = JsonSerializer.Serialize(owners);
        row.ETag = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        Log.ManifestWritten(logger, applicationId, manifestId);
        return ToModel(row);
    }

    private static async Task<Problem?> SaveAsync(CentrumDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            return Problem.Conflict("The deployment manifest was changed by another request; read it again and retry.");
        }
    }

    private static List<string> Owners(DeploymentManifestEntity row) => JsonSerializer.Deserialize<List<string>>(row.Organizations) ?? [];

    private static DeploymentManifest ToModel(DeploymentManifestEntity row) =>
        new(row.Id, row.DisplayName, TwinDocuments.Parse(row.Data), Owners(row), row.ETag);

    private static IQueryable<DeploymentManifestEntity> Scoped(CentrumDbContext db, string applicationId) =>
        db.DeploymentManifests.Where(m => m.ApplicationId == applicationId);

    private static Problem NotFound(string manifestId) => Problem.NotFound($"Deployment manifest '{manifestId}' was not found.");
}

/// <summary>
/// A deployment applied to an IoT Edge device: the modules whose desired properties it wrote, and the <c>$edgeAgent</c>
/// desired version that carries it, which changes with every deployment applied to the device.
/// </summary>
public sealed record AppliedDeployment(IReadOnlyList<string> Modules, long EdgeAgentVersion);
