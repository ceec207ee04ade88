using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Twins;

namespace Centrum.Jobs.Execution;

/// <summary>What one run of a job acts with: its definition, the reach it acts within and its watches.</summary>
internal sealed record JobRun(
    string ApplicationId,
    string JobId,
    JobDefinition Definition,
    OrganizationReach Reach,
    TimeSpan ConnectionTimeout,
    AcknowledgementWatch Acknowledgements,
    ConnectionWatch Connections);

/// <summary>
/// Acts on one device of a job, per kind of job, through the areas' own services, so a job meets the refusals REST
/// meets. The device's row is already running; the answer is how it ended.
/// </summary>
internal sealed class DeviceActions(
    PropertyService properties, TwinService twins, CommandService commands, DeviceRegistry devices, ModuleRegistry modules, DeploymentManifests manifests,
    JobRows rows, TimeProvider time)
{
    /// <summary>The most of a command's response kept in a failed device's reason: enough to read, bounded in the row.</summary>
    public const int MaxResponseInReason = 512;

    public const string InterruptedCommand = "interrupted by a server restart; the command may or may not have reached the device";

    private static readonly JsonSerializerOptions AwaitingJson = new(JsonSerializerDefaults.Web);

    /// <param name="started">When the row moved to running: a device's waits are counted from it, also after a restart.</param>
    /// <param name="awaiting">The row's <c>Awaiting</c> (versions written before a restart), or null.</param>
    /// <param name="recovering">Whether the row was left running by a process that stopped.</param>
    public async Task<DeviceResult> ActAsync(JobRun run, string deviceId, DateTimeOffset started, string? awaiting, bool recovering, CancellationToken cancellationToken)
    {
        var device = await devices.GetAsync(run.ApplicationId, deviceId, cancellationToken);
        if (device is null)
        {
            return Failed("The device no longer exists.");
        }

        var data = run.Definition.Data;
        if (data[0].Kind is JobDataKind.DeviceTemplateMigration)
        {
            return await MigrateAsync(run, deviceId, data[0], cancellationToken);
        }

        if (data[0].Kind is JobDataKind.DeviceManifestMigration)
        {
            return await ApplyManifestAsync(run, device, data[0], cancellationToken);
        }

        var entries = data.Where(d => string.Equals(d.Target, device.Template, StringComparison.Ordinal)).ToList();
        if (entries.Count == 0)
        {
            return Failed($"The device's template '{device.Template ?? "(none)"}' is not the job's template '{data[0].Target}'.");
        }

        return data[0].Kind switch
        {
            JobDataKind.Property => await WritePropertiesAsync(run, deviceId, entries, started, awaiting, recovering, cancellationToken),
            JobDataKind.CloudProperty => await WriteCloudPropertiesAsync(run, deviceId, entries, cancellationToken),
            JobDataKind.Command => recovering
                ? Failed(InterruptedCommand)
                : await RunCommandsAsync(run, deviceId, entries, started, cancellationToken),
            _ => Failed($"Jobs of type {data[0].Kind} are not run."),
        };
    }

    private async Task<DeviceResult> WritePropertiesAsync(
        JobRun run, string deviceId, List<JobData> entries, DateTimeOffset started, string? stored, bool recovering, CancellationToken cancellationToken)
    {
        var versions = stored is null ? null : JsonSerializer.Deserialize<Dictionary<string, long>>(stored, AwaitingJson);
        if (versions is null || versions.Count == 0)
        {
            versions = new Dictionary<string, long>(StringComparer.Ordinal);
            var twin = recovering ? await twins.GetAsync(run.ApplicationId, deviceId, null, cancellationToken) : null;
            foreach (var entry in entries)
            {
                var (component, name) = JobService.SplitPath(entry.Path!);
                // After a restart the write may have happened: a desired value that already equals the job's is adopted
                // with its version rather than written again (a second write would ask the device to apply it twice).
                if (twin is null || !JsonNode.DeepEquals(Desired(twin, component, name), entry.Value))
                {
                    var written = await properties.WriteAsync(
                        run.ApplicationId, deviceId, null, component, new JsonObject { [name] = entry.Value?.DeepClone() }, replace: false, unmodeled: false, cancellationToken);
                    if (!written.Succeeded)
                    {
                        return Failed(written.Problem.Message);
                    }

                    twin = await twins.GetAsync(run.ApplicationId, deviceId, null, cancellationToken);
                    if (twin is null)
                    {
                        return Failed("The device no longer exists.");
                    }
                }

                versions[entry.Path!] = DesiredVersion(twin, component, name);
            }

            await rows.AwaitAsync(run.ApplicationId, run.JobId, deviceId, JsonSerializer.Serialize(versions, AwaitingJson), cancellationToken);
        }

        var awaited = versions.Select(v =>
        {
            var (component, name) = JobService.SplitPath(v.Key);
            return new AwaitedProperty(v.Key, component, name, v.Value);
        }).ToList();
        return await run.Acknowledgements.WaitAsync(deviceId, awaited, started + run.ConnectionTimeout, run.ConnectionTimeout);
    }

    private async Task<DeviceResult> WriteCloudPropertiesAsync(JobRun run, string deviceId, List<JobData> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            var (component, name) = JobService.SplitPath(entry.Path!);
            var written = await properties.WriteAsync(
                run.ApplicationId, deviceId, null, component, new JsonObject { [name] = entry.Value?.DeepClone() }, replace: false, unmodeled: false, cancellationToken);
            if (!written.Succeeded)
            {
                return Failed(written.Problem.Message);
            }
        }

        return Completed(null);
    }

    private async Task<DeviceResult> RunCommandsAsync(JobRun run, string deviceId, List<JobData> entries, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var deadline = started + run.ConnectionTimeout;
        await run.Connections.WaitAsync(deviceId, deadline, cancellationToken);
        string? note = null;
        foreach (var entry in entries)
        {
            var (component, name) = JobService.SplitPath(entry.Path!);
            var left = deadline - time.GetUtcNow();
            // The rest of the job's wait, in whole seconds within IoT Central's command bounds (0 to 30 s).
            var wait = TimeSpan.FromSeconds(Math.Floor(Math.Clamp(left.TotalSeconds, 0, CommandLimits.MaxConnectionTimeout.TotalSeconds)));
            var connected = devices.IsConnected(run.ApplicationId, deviceId);
            var ran = await commands.RunAsync(
                run.ApplicationId, deviceId, new CommandCall(name, entry.Value?.DeepClone(), Component: component, ConnectionTimeout: wait, QueueIfOffline: run.Definition.QueueIfOffline),
                cancellationToken);
            if (!ran.Succeeded)
            {
                return Failed(ran.Problem.Code == "DeviceNotOnline"
                    ? string.Create(CultureInfo.InvariantCulture, $"The device was not connected within {run.ConnectionTimeout.TotalSeconds} s.")
                    : ran.Problem.Message);
            }

            var execution = ran.Value;
            // The command service answers an offline command with IoT Hub's 202 and no response (the device has not
            // answered; it will get it as a cloud-to-device message when it connects).
            if (run.Definition.QueueIfOffline && !connected && execution is { ResponseCode: 202, Response: null })
            {
                note = "queued as an offline command";
                continue;
            }

            if (execution.ResponseCode is not (>= 200 and < 300))
            {
                var response = execution.Response?.ToJsonString() ?? "no response";
                if (response.Length > MaxResponseInReason)
                {
                    response = response[..MaxResponseInReason];
                }

                return Failed(string.Create(CultureInfo.InvariantCulture, $"The device answered {entry.Path} with {execution.ResponseCode}: {response}"));
            }
        }

        return Completed(note);
    }

    private async Task<DeviceResult> MigrateAsync(JobRun run, string deviceId, JobData entry, CancellationToken cancellationToken)
    {
        var moved = await devices.UpdateAsync(run.ApplicationId, deviceId, w => w with { Template = entry.Template }, null, run.Reach, cancellationToken);
        return moved.Succeeded ? Completed(null) : Failed(moved.Problem.Message);
    }

    /// <summary>
    /// Assigns an IoT Edge device the job's deployment manifest as <c>POST /devices/{id}/applyDeploymentManifest</c>
    /// does: the manifest as the job's reach sees it now (one deleted or edited since the job was created is read
    /// again), the runtime's own modules made if missing, then the desired properties of <c>$edgeAgent</c>,
    /// <c>$edgeHub</c> and the modules. Applying is idempotent, so a device interrupted by a restart is applied again.
    /// </summary>
    private async Task<DeviceResult> ApplyManifestAsync(JobRun run, Device device, JobData entry, CancellationToken cancellationToken)
    {
        if (!device.IotEdge)
        {
            return Failed($"Device '{device.Id}' is not an IoT Edge device; a deployment manifest applies to IoT Edge devices only.");
        }

        var manifest = await manifests.GetAsync(run.ApplicationId, entry.Manifest!, run.Reach, cancellationToken);
        if (!manifest.Succeeded)
        {
            return Failed($"Deployment manifest '{entry.Manifest}' no longer exists.");
        }

        if (await modules.EnsureSystemModulesAsync(run.ApplicationId, device.Id, run.Reach, cancellationToken) is { } problem)
        {
            return Failed(problem.Message);
        }

        var applied = await manifests.ApplyAsync(run.ApplicationId, device.Id, manifest.Value.Data, cancellationToken);
        return applied.Succeeded ? Completed(null) : Failed(applied.Problem.Message);
    }

    private static JsonNode? Desired(Twin twin, string? component, string name) =>
        component is null ? twin.Desired[name] : (twin.Desired[component] as JsonObject)?[name];

    /// <summary>
    /// The desired version at which the property was last written (its <c>$lastUpdatedVersion</c> in the desired
    /// metadata, IoT Hub docs "Understand and use device twins", "Metadata"), or the document's version if absent.
    /// </summary>
    private static long DesiredVersion(Twin twin, string? component, string name)
    {
        var scope = component is null ? twin.DesiredMetadata : twin.DesiredMetadata[component] as JsonObject;
        return scope?[name] is JsonObject metadata && metadata["$lastUpdatedVersion"] is JsonValue version && version.TryGetValue<long>(out var number)
            ? number
            : twin.DesiredVersion;
    }

    private static DeviceResult Completed(string? note) => new(JobDeviceState.Completed, note);

    private static DeviceResult Failed(string reason) => new(JobDeviceState.Failed, reason);
}
