using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Identity.Authorization;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Templates.Views;
using Centrum.Twins;
using Centrum.Applications;
using Centrum.Web.Pages.Devices;
using Microsoft.Extensions.Logging;

namespace Centrum.Web.Devices;

/// <summary>
/// What a device page reads and does, through the services REST uses and with the same rules: each operation takes the
/// caller's reach for the permission its REST operation requires (<see cref="DevicePagePermissions"/>, which the
/// authorization matrix holds to REST's) and a device outside it is not found, as REST's device filter answers. Writes and commands go through
/// <see cref="PropertyService"/> and <see cref="CommandService"/>, which apply the template's rules.
/// </summary>
public sealed class DeviceViewService(
    DeviceRegistry registry,
    DeviceModels models,
    PropertyService properties,
    CommandService commands,
    TelemetryQueries telemetry,
    AccessScope scope,
    IDeviceEvents events,
    DeviceConnectionDetails connection,
    IApplicationCatalog applications,
    TimeProvider time,
    ILogger<DeviceViewService> logger)
{
    /// <summary>Messages the raw data tab lists (IoT Central's raw data view pages through recent messages; one page of them).</summary>
    public const int RawMessages = 50;

    /// <summary>Executions of a command the commands tab shows.</summary>
    public const int HistoryLength = 20;

    /// <summary>The device as the page header and About tab show it, or not found when the caller may not read it.</summary>
    public async Task<Outcome<DeviceOverview>> OverviewAsync(ClaimsPrincipal caller, string deviceId, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, Permission.DevicesRead, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var (application, device) = found.Value;
        var template = await models.ForDeviceAsync(application, deviceId, cancellationToken);
        var actions = new DeviceActions(
            await ReachesAsync(caller, device, DevicePagePermissions.ReadData, cancellationToken),
            await ReachesAsync(caller, device, DevicePagePermissions.WriteProperty, cancellationToken),
            await ReachesAsync(caller, device, DevicePagePermissions.EditCloudProperty, cancellationToken),
            await ReachesAsync(caller, device, DevicePagePermissions.RunCommand, cancellationToken),
            await ReachesAsync(caller, device, DevicePagePermissions.ConnectionDetails, cancellationToken));
        return new DeviceOverview(device, template is null ? null : DeviceView.From(template), registry.IsConnected(application, deviceId), actions);
    }

    /// <summary>Every declared property with its value and state (REST's property read, declared properties only).</summary>
    public async Task<Outcome<IReadOnlyList<PropertyState>>> PropertiesAsync(ClaimsPrincipal caller, string deviceId, DeviceView view, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, Permission.DevicesRead, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var read = await properties.ReadAsync(found.Value.Application, deviceId, null, null, unmodeled: false, cancellationToken);
        if (!read.Succeeded)
        {
            // A device that never connected has no twin yet: its properties are not set.
            return read.Problem.Kind == ProblemKind.NotFound ? view.Properties.Select(p => NotSet(p)).ToList() : read.Problem;
        }

        return view.Properties.Select(p => State(p, read.Value)).ToList();
    }

    /// <summary>Writes one writable or cloud property, as REST's PATCH of the device's (or component's) properties does.</summary>
    public async Task<Outcome<JsonObject>> WritePropertyAsync(
        ClaimsPrincipal caller, string deviceId, PropertyView property, JsonNode value, CancellationToken cancellationToken)
    {
        var permission = property.Access == PropertyAccess.Cloud ? DevicePagePermissions.EditCloudProperty : DevicePagePermissions.WriteProperty;
        var found = await DeviceAsync(caller, deviceId, permission, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var body = new JsonObject { [property.Name] = value.DeepClone() };
        return await properties.WriteAsync(found.Value.Application, deviceId, null, property.Component, body, replace: false, unmodeled: false, cancellationToken);
    }

    /// <summary>Runs a command as REST's command POST does (IoT Central's default response timeout, no connection wait).</summary>
    public async Task<Outcome<CommandExecution>> RunCommandAsync(
        ClaimsPrincipal caller, string deviceId, CommandView command, JsonNode? request, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, DevicePagePermissions.RunCommand, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        return await commands.RunAsync(found.Value.Application, deviceId, new CommandCall(command.Name, request, Component: command.Component), cancellationToken);
    }

    /// <summary>
    /// How to connect the device (IoT Central's Connect dialog on a device): ID scope, keys, connection string and the
    /// Node SDK command, read as REST's credentials operation with the caller's reach for its permission.
    /// </summary>
    public async Task<Outcome<DeviceConnectionInfo>> ConnectionAsync(ClaimsPrincipal caller, string deviceId, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, DevicePagePermissions.ConnectionDetails, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        if (await applications.FindByIdAsync(found.Value.Application, cancellationToken) is not { } application)
        {
            return Problem.NotFound($"Device '{deviceId}' was not found.");
        }

        return await connection.GetAsync(application, deviceId, await ReachAsync(caller, DevicePagePermissions.ConnectionDetails, cancellationToken), cancellationToken);
    }

    /// <summary>A command's past executions, newest first, as REST's command history.</summary>
    public async Task<Outcome<IReadOnlyList<CommandExecution>>> HistoryAsync(ClaimsPrincipal caller, string deviceId, CommandView command, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, Permission.DevicesRead, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var history = await commands.HistoryAsync(found.Value.Application, deviceId, null, command.Component, command.Name, 0, HistoryLength, cancellationToken);
        return new Outcome<IReadOnlyList<CommandExecution>>(history);
    }

    /// <summary>The device's newest messages with their unmodeled fields (reading data needs REST's telemetry permission).</summary>
    public async Task<Outcome<IReadOnlyList<RawMessage>>> RawDataAsync(ClaimsPrincipal caller, string deviceId, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, DevicePagePermissions.ReadData, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        return new Outcome<IReadOnlyList<RawMessage>>(await telemetry.RecentMessagesAsync(found.Value.Application, deviceId, RawMessages, cancellationToken));
    }

    /// <summary>The last known value of each declared telemetry (REST's telemetry read).</summary>
    public async Task<Outcome<IReadOnlyList<LastKnownValue>>> LastKnownValuesAsync(ClaimsPrincipal caller, string deviceId, DeviceView view, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, DevicePagePermissions.ReadData, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var values = new List<LastKnownValue>();
        foreach (var declared in view.Telemetry)
        {
            var latest = await telemetry.LatestAsync(new TelemetryStream(found.Value.Application, deviceId, null, declared.Component, declared.Name), cancellationToken);
            values.Add(new LastKnownValue(declared, latest is null ? null : JsonNode.Parse(latest.Value.GetRawText()), latest?.Timestamp));
        }

        return values;
    }

    /// <summary>
    /// A live feed of the device for one page (one Blazor circuit), opened only when the caller may read the device's
    /// data; the page disposes it with the circuit. See <see cref="DeviceLiveFeed"/> for what it reads and drops.
    /// </summary>
    public async Task<Outcome<DeviceLiveFeed>> WatchAsync(ClaimsPrincipal caller, string deviceId, CancellationToken cancellationToken)
    {
        var found = await DeviceAsync(caller, deviceId, DevicePagePermissions.ReadData, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Problem;
        }

        var application = found.Value.Application;
        var reach = await ReachAsync(caller, DevicePagePermissions.ReadData, cancellationToken);
        return DeviceLiveFeed.Start(
            events.SubscribeToDevice(application, deviceId, DeviceLiveFeed.EventCapacity),
            application,
            deviceId,
            stillReached: async token => (await registry.FindAsync(application, deviceId, reach, token)).Succeeded,
            readValues: (after, since, limit, token) => telemetry.DeviceValuesAsync(application, deviceId, after, since, limit, token),
            time,
            logger);
    }

    private async Task<Outcome<(string Application, Device Device)>> DeviceAsync(
        ClaimsPrincipal caller, string deviceId, Permission permission, CancellationToken cancellationToken)
    {
        if (caller.ApplicationId() is not { } application)
        {
            return Problem.NotFound($"Device '{deviceId}' was not found.");
        }

        // As REST: a permission held nowhere is refused (403 there), a device outside the reach of one held is not found.
        var reach = await ReachAsync(caller, permission, cancellationToken);
        if (reach.Organizations is { Count: 0 })
        {
            return Problem.Forbidden($"You may not do this on devices ({permission}).");
        }

        var found = await registry.FindAsync(application, deviceId, reach, cancellationToken);
        return found.Succeeded ? (application, found.Value) : found.Problem;
    }

    private Task<OrganizationReach> ReachAsync(ClaimsPrincipal caller, Permission permission, CancellationToken cancellationToken) =>
        scope.ReachAsync(caller, permission, cancellationToken);

    private async Task<bool> ReachesAsync(ClaimsPrincipal caller, Device device, Permission permission, CancellationToken cancellationToken) =>
        (await ReachAsync(caller, permission, cancellationToken)).Reaches(device.Organizations);

    private static PropertyState NotSet(PropertyView property) =>
        new(property, null, null, null, property.Access == PropertyAccess.Cloud ? PropertyStatus.Saved : PropertyStatus.NotSet, null, null, null);

    /// <summary>Reads one property out of IoT Central's property view (values with a <c>$metadata</c> entry each, components nested).</summary>
    private static PropertyState State(PropertyView property, JsonObject view)
    {
        var scope = property.Component is null ? view : view[property.Component] as JsonObject;
        if (scope is null || !(scope.ContainsKey(property.Name) || (scope["$metadata"] as JsonObject)?.ContainsKey(property.Name) == true))
        {
            return NotSet(property);
        }

        var metadata = (scope["$metadata"] as JsonObject)?[property.Name] as JsonObject ?? [];
        var status = property.Access switch
        {
            PropertyAccess.Cloud => PropertyStatus.Saved,
            PropertyAccess.ReadOnly => PropertyStatus.Reported,
            _ => (string?)metadata["state"] switch
            {
                "pending" => PropertyStatus.Pending,
                "accepted" => PropertyStatus.Accepted,
                "failed" => PropertyStatus.Failed,
                _ => PropertyStatus.Reported,
            },
        };
        return new PropertyState(
            property,
            scope[property.Name]?.DeepClone(),
            metadata["desiredValue"]?.DeepClone(),
            Long(metadata["desiredVersion"]),
            status,
            (int?)Long(metadata["ackCode"]),
            metadata["ackDescription"] is JsonValue description && description.GetValueKind() == JsonValueKind.String ? description.GetValue<string>() : null,
            Time(metadata["lastUpdateTime"]));
    }

    private static DateTimeOffset? Time(JsonNode? node) => node is JsonValue value
        && (value.TryGetValue(out DateTimeOffset at)
            || (value.TryGetValue(out string? text) && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out at)))
        ? at
        : null;

    private static long? Long(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        ? (value.TryGetValue(out long l) ? l : (long)value.GetValue<double>())
        : null;
}
