using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;

namespace Centrum.Storage.Writing;

/// <summary>
/// One caller's part of a group commit: the changes it adds to the shared <see cref="Db"/> and the device events it
/// appends are committed with the other callers' in one transaction, or not at all.
/// </summary>
public sealed class MetadataWriteUnit
{
    private readonly DeviceEventLog _log;
    private readonly List<PendingEvent> _events;
    private readonly BatchDevices _devices;

    internal MetadataWriteUnit(CentrumDbContext db, DeviceEventLog log, string applicationId, List<PendingEvent> events, BatchDevices devices)
    {
        Db = db;
        _log = log;
        ApplicationId = applicationId;
        _events = events;
        _devices = devices;
    }

    /// <summary>The batch's context: add or update the caller's own entities; nothing is saved until the batch commits.</summary>
    public CentrumDbContext Db { get; }

    public string ApplicationId { get; }

    /// <summary>
    /// Whether the device exists at this point of the batch: stored before it, or created by an earlier write of it
    /// (<see cref="AddDevice"/>), and not deleted by one (<see cref="DeviceDeleted"/>). Only for the device the write
    /// was queued for (<see cref="MetadataWriter.WriteAsync(string, string?, Func{MetadataWriteUnit, CancellationToken, ValueTask}, CancellationToken)"/>).
    /// </summary>
    public bool DeviceExists(string deviceId) => _devices.Exists(ApplicationId, deviceId);

    /// <summary>Adds a new device to the batch's context (saved with the batch) and lets the batch's later writes know it exists.</summary>
    public void AddDevice(DeviceEntity device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Db.Devices.Add(device);
        _devices.Created(device.ApplicationId, device.Id);
    }

    /// <summary>Tells the batch's later writes that a device this write deleted no longer exists.</summary>
    public void DeviceDeleted(string deviceId) => _devices.Deleted(ApplicationId, deviceId);

    /// <summary>Appends an event to the application's log in the same transaction; it is published after the commit, in id order.</summary>
    public void Append(DeviceEventKind kind, string deviceId, JsonNode? data, string? moduleId = null, string? component = null, DateTimeOffset? time = null)
    {
        var row = _log.NewRow(ApplicationId, kind, deviceId, data, moduleId, time);
        Db.DeviceEvents.Add(row);
        _events.Add(new PendingEvent(kind, row, data, component));
    }
}

/// <summary>An appended event waiting for its row's id.</summary>
internal sealed record PendingEvent(DeviceEventKind Kind, DeviceEventEntity Row, JsonNode? Data, string? Component);
