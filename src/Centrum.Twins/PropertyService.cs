using System.Text.Json.Nodes;
using Centrum.Outcomes;
using Centrum.Templates;

namespace Centrum.Twins;

/// <summary>
/// A device's properties as IoT Central shows and writes them (IoT Central REST API 2022-07-31, the Devices property
/// operations): the twin read through the device's template. REST, jobs and pages call this, so a write meets the
/// same refusals whoever makes it: a property the template does not declare, one the cloud may not write, or a value
/// that does not fit its schema, unless the caller asks for unmodeled properties. A module's properties are read and
/// checked by the module's capability model in its IoT Edge device's template; a module the template does not describe
/// (or one of a device without a template) is not checked, as IoT Central leaves such data unmodeled.
/// </summary>
public sealed class PropertyService(TwinService twins, DeviceModels models)
{
    /// <summary>
    /// The properties of a device, a module or a component: only those the template declares, unless
    /// <paramref name="unmodeled"/> asks for all.
    /// </summary>
    public async Task<Outcome<JsonObject>> ReadAsync(
        string applicationId, string deviceId, string? moduleId, string? component, bool unmodeled, CancellationToken cancellationToken)
    {
        var twin = await twins.GetAsync(applicationId, deviceId, moduleId, cancellationToken);
        if (twin is null)
        {
            return NotFound(deviceId, moduleId);
        }

        var view = DeviceProperties.View(twin, component);
        if (!unmodeled && await models.ForIdentityAsync(applicationId, deviceId, moduleId, cancellationToken) is { } template)
        {
            if (DeviceModels.CheckComponent(template, component) is { } undeclared)
            {
                return undeclared;
            }

            view = DeviceModels.Declared(template, component, view);
        }

        return view;
    }

    /// <summary>
    /// Writes properties: cloud properties are kept by the platform, the rest become desired properties the device is
    /// told of. <paramref name="replace"/> is IoT Central's PUT (properties not named are removed from the scope),
    /// otherwise a PATCH. The value is IoT Central's 202 answer: the written values with their pending metadata.
    /// </summary>
    public async Task<Outcome<JsonObject>> WriteAsync(
        string applicationId, string deviceId, string? moduleId, string? component, JsonObject values, bool replace, bool unmodeled, CancellationToken cancellationToken)
    {
        var twin = await twins.GetAsync(applicationId, deviceId, moduleId, cancellationToken);
        if (twin is null)
        {
            return NotFound(deviceId, moduleId);
        }

        var template = await models.ForIdentityAsync(applicationId, deviceId, moduleId, cancellationToken);
        var modeled = unmodeled && template is not null ? DeviceModels.Modeled(template, component, values) : values;
        if (template is not null && modeled is not null && DeviceModels.CheckWrites(template, component, modeled) is { } refusal)
        {
            return refusal;
        }

        // Cloud properties stay with the platform; everything else is desired and goes to the device.
        var desired = (JsonObject)values.DeepClone();
        var cloud = new JsonObject();
        // Cloud properties are the device's (IoT Central has none on modules): a module's writes all go to its twin.
        if (template is not null && component is null && moduleId is null)
        {
            foreach (var (name, value) in desired.ToList())
            {
                if (DeviceModels.Property(template.Model, null, name) is { } declared && DeviceModels.IsCloud(declared))
                {
                    cloud[name] = value?.DeepClone();
                    desired.Remove(name);
                }
            }

            if (cloud.Count > 0 && await twins.PatchCloudAsync(applicationId, deviceId, cloud, cancellationToken) is { Problem: { } cloudFailure })
            {
                return cloudFailure;
            }

            if (desired.Count == 0 && !replace)
            {
                return DeviceProperties.Accepted(cloud, null);
            }
        }

        var patch = DeviceProperties.DesiredPatch(desired, twin, component, replace, template?.Model.Components.Select(c => c.Name).ToHashSet());
        var written = await twins.PatchDesiredAsync(applicationId, deviceId, moduleId, patch, cancellationToken);
        return written.Succeeded ? Merge(DeviceProperties.Accepted(patch, component), cloud) : written.Problem;
    }

    /// <summary>Cloud properties answer with their value as the desired value, beside the device's pending properties.</summary>
    private static JsonObject Merge(JsonObject accepted, JsonObject cloud)
    {
        if (cloud.Count == 0)
        {
            return accepted;
        }

        if (accepted["$metadata"] is not JsonObject metadata)
        {
            accepted["$metadata"] = metadata = [];
        }

        foreach (var (name, value) in cloud)
        {
            metadata[name] = new JsonObject { ["desiredValue"] = value?.DeepClone() };
        }

        return accepted;
    }

    private static Problem NotFound(string deviceId, string? moduleId) =>
        Problem.NotFound(moduleId is null ? $"Device '{deviceId}' was not found." : $"Module '{moduleId}' of device '{deviceId}' was not found.");
}
