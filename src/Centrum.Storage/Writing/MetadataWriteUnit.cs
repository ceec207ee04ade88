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
    private readonly BatchAnswers _answers;

    internal MetadataWriteUnit(CentrumDbContext db, DeviceEventLog log, string applicationId, List<PendingEvent> events, BatchAnswers answers)
    {
        Db = db;
        _log = log;
        ApplicationId = applicationId;
        _events = events;
        _answers = answers;
    }

    /// <summary>The batch's context: add or update the caller's own entities; nothing is saved until the batch commits.</summary>
    public CentrumDbContext Db { get; }

    public string ApplicationId { get; }

    /// <summary>
    /// Whether <paramref name="key"/> exists at this point of the batch: it did before the batch, or an earlier write
    /// of it said it added the key (<see cref="Added"/>), and none said it removed it (<see cref="Removed"/>). Only for
    /// the key the write was queued with, or one a write of the batch added or removed.
    /// </summary>
    public bool Exists(MetadataBatchLookup lookup, string key) => _answers.Exists(lookup, ApplicationId, key);

    /// <summary>Tells the batch's later writes that this write added <paramref name="key"/> (a row saved with the batch).</summary>
    public void Added(MetadataBatchLookup lookup, string key) => _answers.Added(lookup, ApplicationId, key);

    /// <summary>Tells the batch's later writes that this write removed <paramref name="key"/>.</summary>
    public void Removed(MetadataBatchLookup lookup, string key) => _answers.Removed(lookup, ApplicationId, key);

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
