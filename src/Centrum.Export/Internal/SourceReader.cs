using System.Text.Json.Nodes;
using Centrum.Storage;
using Centrum.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Export.Internal;

/// <summary>Reads a source's durable log by position: the telemetry store for telemetry, the event log for the rest.</summary>
internal sealed class SourceReader(IDbContextFactory<CentrumDbContext> contexts, TelemetryQueries telemetry)
{
    public async Task<IReadOnlyList<SourceRecord>> ReadAsync(string applicationId, string source, long after, int limit, CancellationToken cancellationToken)
    {
        if (source == ExportSources.Telemetry)
        {
            var messages = await telemetry.MessagesAfterAsync(applicationId, after, limit, cancellationToken);
            return messages.Select(m => new SourceRecord(m.Sequence, m.EnqueuedTime, m.DeviceId, m.ModuleId, "Telemetry", null, m)).ToList();
        }

        var kinds = ExportSources.EventKinds(source);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.DeviceEvents.AsNoTracking()
            .Where(e => e.ApplicationId == applicationId && e.Id > after && kinds.Contains(e.Kind))
            .OrderBy(e => e.Id).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(e => new SourceRecord(e.Id, e.Time, e.DeviceId, e.ModuleId, e.Kind, e.Data is null ? null : JsonNode.Parse(e.Data) as JsonObject, null)).ToList();
    }

    /// <summary>The newest position of the source's log, and the oldest one still kept (telemetry retention deletes old messages).</summary>
    public async Task<(long Newest, long Oldest)> RangeAsync(string applicationId, string source, CancellationToken cancellationToken)
    {
        if (source == ExportSources.Telemetry)
        {
            return await telemetry.SequenceBoundsAsync(applicationId, cancellationToken);
        }

        var kinds = ExportSources.EventKinds(source);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newestEvent = await db.DeviceEvents.Where(e => e.ApplicationId == applicationId && kinds.Contains(e.Kind)).MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        return (newestEvent, 0);
    }

    /// <summary>
    /// The position an export's delivery to a new destination begins after: the log's end for <c>now</c>, its
    /// beginning for <c>earliest</c>, or the last entry before a time (backfill, which IoT Central cannot do).
    /// </summary>
    public async Task<long> StartPositionAsync(string applicationId, string source, string start, CancellationToken cancellationToken)
    {
        if (start == "earliest")
        {
            return source == ExportSources.Telemetry
                ? Math.Max(0, (await telemetry.SequenceBoundsAsync(applicationId, cancellationToken)).Oldest - 1)
                : 0;
        }

        var from = start == "now" ? DateTimeOffset.MaxValue : DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        if (source == ExportSources.Telemetry)
        {
            var (newest, _, lastBefore) = await telemetry.SequenceRangeAsync(applicationId, from, cancellationToken);
            return start == "now" ? newest : lastBefore;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == applicationId);
        var last = await events.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        if (start == "now")
        {
            return last;
        }

        // SQLite cannot compare DateTimeOffset columns in SQL; event ids grow with time, so walk the log in id order.
        long position = 0;
        while (true)
        {
            var chunk = await events.Where(e => e.Id > position).OrderBy(e => e.Id).Select(e => new { e.Id, e.Time }).Take(10_000).ToListAsync(cancellationToken);
            foreach (var row in chunk)
            {
                if (row.Time >= from)
                {
                    return position;
                }

                position = row.Id;
            }

            if (chunk.Count < 10_000)
            {
                return position;
            }
        }
    }
}
