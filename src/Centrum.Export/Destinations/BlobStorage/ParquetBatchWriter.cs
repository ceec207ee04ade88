using System.Text;
using DuckDB.NET.Data;

namespace Centrum.Export.Destinations.BlobStorage;

/// <summary>
/// Writes a batch as a Parquet file through an in-memory DuckDB: one row per message with
/// <c>sequence BIGINT, device_id VARCHAR, enqueued_time TIMESTAMPTZ, body JSON</c>.
/// </summary>
/// <remarks>
/// <c>enqueued_time</c> is <c>TIMESTAMP WITH TIME ZONE</c> so the file marks it as UTC (Parquet's
/// <c>isAdjustedToUTC</c>); a plain TIMESTAMP would be read as local time by Spark and pandas. <c>body</c> is DuckDB's
/// JSON type, which Parquet stores as a string with the JSON logical type, so readers that know JSON parse it and the
/// rest see text.
/// </remarks>
internal sealed class ParquetBatchWriter : IDisposable
{
    private DuckDBConnection? _connection;

    /// <summary>Writes <paramref name="messages"/> to a new Parquet file at <paramref name="path"/>.</summary>
    public void Write(IReadOnlyList<ExportedMessage> messages, string path)
    {
        var db = Open();
        Execute(db, "DELETE FROM messages");
        using (var appender = db.CreateAppender("messages"))
        {
            foreach (var message in messages)
            {
                appender.CreateRow()
                    .AppendValue(message.Sequence)
                    .AppendValue(message.DeviceId)
                    .AppendValue(message.EnqueuedTime)
                    .AppendValue(Encoding.UTF8.GetString(message.Body.Span))
                    .EndRow();
            }
        }

        Execute(db, $"COPY messages TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)");
        Execute(db, "DELETE FROM messages");
    }

    public void Dispose() => _connection?.Dispose();

    // One connection per sender, kept: a sender delivers one batch at a time, and opening DuckDB for each would
    // repeat its start-up for every blob.
    private DuckDBConnection Open()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        Execute(db, "CREATE TABLE messages (sequence BIGINT NOT NULL, device_id VARCHAR NOT NULL, enqueued_time TIMESTAMPTZ NOT NULL, body JSON NOT NULL)");
        _connection = db;
        return db;
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
