namespace Centrum.Storage.Entities;

/// <summary>
/// How far one export has delivered to one of its destinations: the last sequence of its source's durable log that
/// the destination acknowledged. Written after each acknowledged batch, so a restart resends at most one batch.
/// </summary>
public sealed class ExportCursorEntity
{
    public required string ApplicationId { get; set; }

    public required string ExportId { get; set; }

    public required string DestinationId { get; set; }

    /// <summary>The source the position belongs to: telemetry positions are the telemetry store's sequence, others the event log's.</summary>
    public required string Source { get; set; }

    public long Position { get; set; }

    public long Delivered { get; set; }

    public DateTimeOffset? LastExportTime { get; set; }
}
