using System.Data.Common;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Centrum.Telemetry;

public sealed record TelemetryValue(JsonElement Value, DateTimeOffset Timestamp, bool Modeled);

public sealed record TelemetryPoint(long Sequence, DateTimeOffset Timestamp, JsonElement Value, bool Modeled);

/// <summary>One field of one message of a device, as a device view draws or lists it.</summary>
public sealed record DeviceTelemetryValue(long Sequence, DateTimeOffset Timestamp, string? ModuleId, string? Component, string Name, JsonElement Value, bool Modeled);

/// <summary>A stored message of a device with the names of its fields the template does not declare (IoT Central's raw data view).</summary>
public sealed record RawMessage(StoredMessage Message, IReadOnlyList<string> UnmodeledFields);

public sealed record TelemetryBucket(DateTimeOffset Start, long Count, double? Average, double? Minimum, double? Maximum);

/// <summary>Reads of one telemetry stream: <c>(device, module, component, name)</c>.</summary>
public sealed record TelemetryStream(string ApplicationId, string DeviceId, string? ModuleId, string? Component, string Name);

/// <summary>The one way in to the time-series store for reads. All SQL is parameterised.</summary>
public sealed class TelemetryQueries(TelemetryIngest ingest)
{
    private const string StreamFilter =
        "device_id = $device AND module_id IS NOT DISTINCT FROM $module AND component IS NOT DISTINCT FROM $component AND name = $name";

    /// <summary>IoT Central's last-known value.</summary>
    public async Task<TelemetryValue?> LatestAsync(TelemetryStream stream, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(stream.ApplicationId).OpenReadConnection();
        await using var command = Command(connection, stream,
            $"SELECT value_json, enqueued_time, modeled FROM telemetry WHERE {StreamFilter} ORDER BY seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new TelemetryValue(Parse(reader.GetString(0)), Utc(reader.GetDateTime(1)), !reader.IsDBNull(2) && reader.GetBoolean(2))
            : null;
    }

    /// <summary>Raw points in <c>[from, to)</c>, oldest first, paged by sequence number.</summary>
    public async Task<IReadOnlyList<TelemetryPoint>> RangeAsync(
        TelemetryStream stream, DateTimeOffset from, DateTimeOffset to, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(stream.ApplicationId).OpenReadConnection();
        await using var command = Command(connection, stream,
            $"""
            SELECT seq, enqueued_time, value_json, modeled FROM telemetry
            WHERE {StreamFilter} AND enqueued_time >= $from AND enqueued_time < $to AND seq > $after
            ORDER BY seq LIMIT $limit
            """);
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("after", afterSequence));
        command.Parameters.Add(new DuckDBParameter("limit", limit));
        var points = new List<TelemetryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new TelemetryPoint(reader.GetInt64(0), Utc(reader.GetDateTime(1)), Parse(reader.GetString(2)), !reader.IsDBNull(3) && reader.GetBoolean(3)));
        }

        return points;
    }

    /// <summary>Numeric aggregates per time bucket in <c>[from, to)</c>, for charts over long ranges.</summary>
    public async Task<IReadOnlyList<TelemetryBucket>> AggregateAsync(
        TelemetryStream stream, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(stream.ApplicationId).OpenReadConnection();
        await using var command = Command(connection, stream,
            $"""
            SELECT time_bucket(to_microseconds($interval), enqueued_time, $from) AS bucket,
                   count(*), avg(value_number), min(value_number), max(value_number)
            FROM telemetry
            WHERE {StreamFilter} AND enqueued_time >= $from AND enqueued_time < $to
            GROUP BY bucket ORDER BY bucket
            """);
        command.Parameters.Add(new DuckDBParameter("interval", interval.Ticks / TimeSpan.TicksPerMicrosecond));
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
        var buckets = new List<TelemetryBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new TelemetryBucket(
                Utc(reader.GetDateTime(0)),
                reader.GetInt64(1),
                NullableDouble(reader, 2),
                NullableDouble(reader, 3),
                NullableDouble(reader, 4)));
        }

        return buckets;
    }

    /// <summary>
    /// The newest values one device sent after <paramref name="afterSequence"/> and not before <paramref name="since"/>,
    /// at most <paramref name="limit"/>, oldest first: what a live view missed since it last read, read when the event
    /// stream wakes it. A view that fell further behind than the limit skips to the newest values.
    /// </summary>
    public async Task<IReadOnlyList<DeviceTelemetryValue>> DeviceValuesAsync(
        string applicationId, string deviceId, long afterSequence, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, enqueued_time, module_id, component, name, value_json, modeled FROM telemetry
            WHERE seq > $after AND device_id = $device AND enqueued_time >= $since
            ORDER BY seq DESC, name DESC LIMIT $limit
            """;
        command.Parameters.Add(new DuckDBParameter("after", afterSequence));
        command.Parameters.Add(new DuckDBParameter("device", deviceId));
        command.Parameters.Add(new DuckDBParameter("since", since.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("limit", limit));
        var values = new List<DeviceTelemetryValue>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(new DeviceTelemetryValue(
                reader.GetInt64(0), Utc(reader.GetDateTime(1)), NullableString(reader, 2), NullableString(reader, 3), reader.GetString(4),
                Parse(reader.GetString(5)), !reader.IsDBNull(6) && reader.GetBoolean(6)));
        }

        values.Reverse();
        return values;
    }

    /// <summary>
    /// A device's newest <paramref name="limit"/> messages, newest first, each with the fields its template does not
    /// declare: IoT Central's raw data view shows both modeled and unmodeled data.
    /// </summary>
    public async Task<IReadOnlyList<RawMessage>> RecentMessagesAsync(string applicationId, string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        var messages = new List<StoredMessage>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT seq, enqueued_time, device_id, module_id, component, message_id, content_type, content_encoding, properties, body, traceparent
                FROM messages WHERE device_id = $device ORDER BY seq DESC LIMIT $limit
                """;
            command.Parameters.Add(new DuckDBParameter("device", deviceId));
            command.Parameters.Add(new DuckDBParameter("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(Message(reader));
            }
        }

        if (messages.Count == 0)
        {
            return [];
        }

        var unmodeled = new Dictionary<long, List<string>>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT seq, name FROM telemetry
                WHERE seq >= $oldest AND seq <= $newest AND device_id = $device AND NOT coalesce(modeled, false)
                ORDER BY seq, name
                """;
            command.Parameters.Add(new DuckDBParameter("oldest", messages[^1].Sequence));
            command.Parameters.Add(new DuckDBParameter("newest", messages[0].Sequence));
            command.Parameters.Add(new DuckDBParameter("device", deviceId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var sequence = reader.GetInt64(0);
                if (!unmodeled.TryGetValue(sequence, out var names))
                {
                    unmodeled[sequence] = names = [];
                }

                names.Add(reader.GetString(1));
            }
        }

        return [.. messages.Select(m => new RawMessage(m, unmodeled.TryGetValue(m.Sequence, out var names) ? names : []))];
    }

    /// <summary>How many messages an application has stored, by device (used by tests and operations).</summary>
    public async Task<IReadOnlyList<(string MessageId, long Count)>> CountByMessageIdAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id, count(*) FROM messages WHERE device_id = $device AND message_id IS NOT NULL GROUP BY message_id";
        command.Parameters.Add(new DuckDBParameter("device", deviceId));
        var rows = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    /// <summary>Up to <paramref name="limit"/> whole messages after <paramref name="afterSequence"/>, in sequence order.</summary>
    public async Task<IReadOnlyList<StoredMessage>> MessagesAfterAsync(string applicationId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, enqueued_time, device_id, module_id, component, message_id, content_type, content_encoding, properties, body, traceparent
            FROM messages WHERE seq > $after ORDER BY seq LIMIT $limit
            """;
        command.Parameters.Add(new DuckDBParameter("after", afterSequence));
        command.Parameters.Add(new DuckDBParameter("limit", limit));
        var messages = new List<StoredMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(Message(reader));
        }

        return messages;
    }

    /// <summary>The newest sequence (0 when empty) and the oldest one retention left: two column bounds, no filter.</summary>
    public async Task<(long Newest, long Oldest)> SequenceBoundsAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(seq), 0), coalesce(min(seq), 0) FROM messages";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// The store's sequence range: the newest sequence (0 when empty), the oldest one retention left, and the last
    /// sequence before <paramref name="before"/> (where an export that starts at that time begins).
    /// </summary>
    public async Task<(long Newest, long Oldest, long LastBefore)> SequenceRangeAsync(string applicationId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT coalesce(max(seq), 0), coalesce(min(seq), 0), coalesce(max(seq) FILTER (WHERE enqueued_time < $before), min(seq) - 1, 0)
            FROM messages
            """;
        command.Parameters.Add(new DuckDBParameter("before", before.UtcDateTime));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>A row of <c>messages</c> read in the column order both message reads select.</summary>
    private static StoredMessage Message(DbDataReader reader) => new(
        reader.GetInt64(0), Utc(reader.GetDateTime(1)), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
        NullableString(reader, 5), NullableString(reader, 6), NullableString(reader, 7), NullableString(reader, 8) ?? "{}",
        reader.IsDBNull(9) ? [] : Bytes(reader, 9))
    {
        TraceParent = NullableString(reader, 10),
    };

    /// <summary>DuckDB hands BLOBs out as streams over its own memory; the message keeps a copy.</summary>
    private static byte[] Bytes(DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DuckDBCommand Command(DuckDBConnection connection, TelemetryStream stream, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("device", stream.DeviceId));
        command.Parameters.Add(new DuckDBParameter("module", (object?)stream.ModuleId ?? DBNull.Value));
        command.Parameters.Add(new DuckDBParameter("component", (object?)stream.Component ?? DBNull.Value));
        command.Parameters.Add(new DuckDBParameter("name", stream.Name));
        return command;
    }

    private static double? NullableDouble(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
