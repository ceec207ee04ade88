namespace Centrum.Telemetry.Internal;

/// <summary>The per-application DuckDB schema.</summary>
/// <remarks>
/// <c>messages</c> keeps every accepted message whole, keyed by the application-wide sequence number that export
/// cursors will follow. <c>telemetry</c> keeps each top-level field of a JSON body as its own row so numbers can be
/// aggregated without parsing bodies at query time. Neither table has a primary key: DuckDB maintains an ART index for
/// one on every append, which halves the append rate, and the writer is the only producer of <c>seq</c>.
/// <c>traceparent</c> is the W3C Trace Context header (section 3.2) of the message's commit span, null when the message
/// was not traced, so an export delivering it continues the message's trace.
/// </remarks>
internal static class TelemetrySchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS messages (
            seq BIGINT NOT NULL,
            enqueued_time TIMESTAMP NOT NULL,
            device_id VARCHAR NOT NULL,
            module_id VARCHAR,
            component VARCHAR,
            message_id VARCHAR,
            correlation_id VARCHAR,
            content_type VARCHAR,
            content_encoding VARCHAR,
            creation_time TIMESTAMP,
            properties VARCHAR,
            body BLOB,
            traceparent VARCHAR
        );
        CREATE TABLE IF NOT EXISTS telemetry (
            seq BIGINT NOT NULL,
            enqueued_time TIMESTAMP NOT NULL,
            device_id VARCHAR NOT NULL,
            module_id VARCHAR,
            component VARCHAR,
            name VARCHAR NOT NULL,
            value_number DOUBLE,
            value_json VARCHAR NOT NULL,
            modeled BOOLEAN NOT NULL DEFAULT false
        );
        ALTER TABLE telemetry ADD COLUMN IF NOT EXISTS modeled BOOLEAN DEFAULT false;
        ALTER TABLE messages ADD COLUMN IF NOT EXISTS traceparent VARCHAR;
        """;
}
