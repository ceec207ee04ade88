using System.Collections.Concurrent;

namespace Centrum.Export;

/// <summary>
/// The runtime state of every delivery (an export to one destination) on this node, read by REST. The persisted part
/// (position, delivered, last export time) lives with the cursor; errors are current state only.
/// </summary>
public sealed class ExportStatusBoard
{
    private readonly ConcurrentDictionary<(string Application, string Export, string Destination), DeliveryState> _states = new();

    internal DeliveryState For(string applicationId, string exportId, string destinationId) =>
        _states.GetOrAdd((applicationId, exportId, destinationId), _ => new DeliveryState());

    internal void Remove(string applicationId, string exportId, string destinationId) => _states.TryRemove((applicationId, exportId, destinationId), out _);

    /// <summary>
    /// An export's status over its destinations: <c>notStarted</c> when disabled, <c>healthy</c> when enabled without
    /// destinations (IoT Central REST API 2022-10-31-preview, Destinations_ListExports example),
    /// else the worst of them.
    /// </summary>
    public ExportStatus Export(string applicationId, ExportDefinition export)
    {
        var states = export.Destinations.Select(d => _states.GetValueOrDefault((applicationId, export.Id, d.Id))).ToList();
        if (!export.Enabled)
        {
            return new ExportStatus("notStarted", [], states.Count == 0 ? null : Combine(states).LastExportTime, 0, 0, 0, null);
        }

        return states.Count == 0 ? new ExportStatus("healthy", [], null, 0, 0, 0, null) : Combine(states);
    }

    /// <summary>
    /// A destination's status over the enabled exports that send to it: <c>waiting</c> while none does (IoT Central REST
    /// API 2022-10-31-preview, Destinations_Create and Destinations_List examples), else the worst of them.
    /// </summary>
    public ExportStatus Destination(string applicationId, string destinationId, IEnumerable<ExportDefinition> exports)
    {
        var states = exports.Where(e => e.Enabled && e.Destinations.Any(d => d.Id == destinationId))
            .Select(e => _states.GetValueOrDefault((applicationId, e.Id, destinationId))).ToList();
        return states.Count == 0 ? new ExportStatus("waiting", [], null, 0, 0, 0, null) : Combine(states);
    }

    private static ExportStatus Combine(List<DeliveryState?> list)
    {
        var snapshots = list.Select(s => s?.Snapshot() ?? DeliveryState.Starting).ToList();
        var errors = snapshots.SelectMany(s => s.Errors).Distinct().ToList();
        var status = errors.Count > 0 ? "error" : snapshots.Any(s => s.Status == "starting") ? "starting" : "healthy";
        return new ExportStatus(
            status, errors, snapshots.Max(s => s.LastExportTime), snapshots.Sum(s => s.Delivered), snapshots.Sum(s => s.Failed),
            snapshots.Sum(s => s.Backlog), snapshots.Max(s => s.BacklogAge));
    }
}

/// <summary>One delivery's state, updated by its pipeline only.</summary>
internal sealed class DeliveryState
{
    public static readonly ExportStatus Starting = new("starting", [], null, 0, 0, 0, null);

    private readonly Lock _gate = new();
    private ExportStatus _status = Starting;

    public ExportStatus Snapshot()
    {
        lock (_gate)
        {
            return _status;
        }
    }

    public void Update(Func<ExportStatus, ExportStatus> change)
    {
        lock (_gate)
        {
            _status = change(_status);
        }
    }
}
