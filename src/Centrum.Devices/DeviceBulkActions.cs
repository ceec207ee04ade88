using Centrum.Audit;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Templates;

namespace Centrum.Devices;

/// <summary>What a bulk action does to each device.</summary>
public enum DeviceBulkActionKind
{
    Enable,
    Disable,
    Approve,
    Delete,
    AssignTemplate,
}

/// <summary>A bulk action; <see cref="Template"/> is the template an <see cref="DeviceBulkActionKind.AssignTemplate"/> assigns.</summary>
public sealed record DeviceBulkAction(DeviceBulkActionKind Kind, string? Template = null);

/// <summary>How one device of a bulk action ended.</summary>
public enum DeviceActionState
{
    Done,

    /// <summary>No such device, or one outside the caller's reach (the two are not told apart, as REST does not).</summary>
    NotFound,

    /// <summary>The device's rules refused the change; <see cref="DeviceActionResult.Reason"/> says why.</summary>
    Refused,
}

public sealed record DeviceActionResult(string DeviceId, DeviceActionState State, string? Reason = null);

/// <summary>Who asked for a bulk action, as the audit log names an actor (IoT Central docs "Export audit logs": actor type and id).</summary>
public sealed record DeviceActor(string Type, string Id);

/// <summary>
/// Enable, disable, approve, delete or assign a template to many devices in one call, as a person selects them in the
/// device list. Each device goes through the registry's own write (<see cref="DeviceRegistry.UpdateAsync"/>,
/// <see cref="DeviceRegistry.DeleteAsync"/>), so it meets the rules, reach, device events and connection closing a
/// REST write meets, and gets its own audit entry; one device's refusal does not stop the others.
/// </summary>
public sealed class DeviceBulkActions(DeviceRegistry registry, ITemplateCatalog templates, IAuditTrail audit)
{
    /// <summary>
    /// Devices one call acts on at most. Each is its own transaction (write, device event, audit entry): about 3 ms
    /// on SQLite, so 1,000 devices answer within seconds while a request holds its caller; more is a job's work
    /// (IoT Central's jobs act on device groups of any size).
    /// </summary>
    public const int MaxDevices = 1_000;

    /// <param name="reach">The caller's reach for the permission the action needs: devices update for all but delete, devices delete for delete.</param>
    public async Task<Outcome<IReadOnlyList<DeviceActionResult>>> ApplyAsync(
        string applicationId, IReadOnlyCollection<string> deviceIds, DeviceBulkAction action, OrganizationReach reach, DeviceActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(actor);
        var ids = deviceIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return Problem.Invalid("Select at least one device.");
        }

        if (ids.Count > MaxDevices)
        {
            return Problem.TooLarge($"One action acts on at most {MaxDevices} devices; {ids.Count} were selected. Use a job for more.");
        }

        if (action.Kind == DeviceBulkActionKind.AssignTemplate)
        {
            // Asked once for the whole call; each device's write asks again, so a template deleted meanwhile still refuses.
            if (string.IsNullOrEmpty(action.Template) || !await templates.ExistsAsync(applicationId, action.Template, cancellationToken))
            {
                return Problem.Invalid($"Device template '{action.Template}' does not exist.");
            }
        }

        var results = new List<DeviceActionResult>(ids.Count);
        foreach (var id in ids)
        {
            var outcome = await ActAsync(applicationId, id, action, reach, cancellationToken);
            var result = outcome.Succeeded
                ? new DeviceActionResult(id, DeviceActionState.Done)
                : new DeviceActionResult(id, outcome.Problem.Kind == ProblemKind.NotFound ? DeviceActionState.NotFound : DeviceActionState.Refused, outcome.Problem.Message);
            results.Add(result);
            await audit.RecordAsync(applicationId, AuditEntry(id, action, actor, outcome), CancellationToken.None);
        }

        return results;
    }

    private Task<Outcome<Device>> ActAsync(string applicationId, string deviceId, DeviceBulkAction action, OrganizationReach reach, CancellationToken cancellationToken) =>
        action.Kind switch
        {
            DeviceBulkActionKind.Delete => registry.DeleteAsync(applicationId, deviceId, reach, cancellationToken),
            DeviceBulkActionKind.Enable => registry.UpdateAsync(applicationId, deviceId, w => w with { Enabled = true }, null, reach, cancellationToken),
            DeviceBulkActionKind.Disable => registry.UpdateAsync(applicationId, deviceId, w => w with { Enabled = false }, null, reach, cancellationToken),
            DeviceBulkActionKind.Approve => registry.UpdateAsync(applicationId, deviceId, w => w with { Approved = true }, null, reach, cancellationToken),
            DeviceBulkActionKind.AssignTemplate => registry.UpdateAsync(applicationId, deviceId, w => w with { Template = action.Template }, null, reach, cancellationToken),
            _ => Task.FromResult<Outcome<Device>>(Problem.Invalid($"Unknown action {action.Kind}.")),
        };

    /// <summary>
    /// The entry REST's audit would write for the same change (a PATCH or DELETE of <c>/api/devices/{id}</c>), with the
    /// status it would have answered, so the audit log reads alike whichever head made the change.
    /// </summary>
    private static AuditTrailEntry AuditEntry(string deviceId, DeviceBulkAction action, DeviceActor actor, Outcome<Device> outcome)
    {
        var delete = action.Kind == DeviceBulkActionKind.Delete;
        var status = outcome.Problem?.Kind switch
        {
            null => delete ? 204 : 200,
            ProblemKind.NotFound => 404,
            ProblemKind.Forbidden => 403,
            ProblemKind.Conflict => 409,
            _ => 400,
        };
        return new AuditTrailEntry(
            delete ? "deleted" : "updated", actor.Type, actor.Id, "device", deviceId, outcome.Succeeded && !delete ? outcome.Value.DisplayName : null, status,
            delete ? "DELETE" : "PATCH", "/api/devices/" + Uri.EscapeDataString(deviceId));
    }
}
