namespace Centrum.Telemetry.Internal;

/// <summary>The per-application DuckDB schema.</summary>
/// <remarks>
/// <c>messages</c> keeps every accepted message whole, keyed by the application-wide sequence number that export
/// cursors will follow. <c>telemetry</c> keeps each top-level field of a JSON body as its own row so numbers can be
/// aggregated without parsing bodies at query time. Neither table has a primary key: DuckDB maintains an ART index for
/// one on every append, which halves the append rate, and the writer is the only producer of <c>seq</c>.
/// <c>traceparent</c> is the W3C Trace Context header (section 3.2) of the message's commit span, null when the message
/// was not traced, so an export delivering it continues the message's trace.
/// <para>
/// <c>rollup_minute</c> and <c>rollup_hour</c> summarize <c>telemetry</c> per device, module, component, field and
/// bucket: how many values, how many of them numbers with their sum, minimum and maximum, and the first and last value
/// by sequence number, which is what every aggregate of the query language composes from (AVG as sum / number count).
/// A key may have several rows (a pass that rolled part of a bucket, a row that arrived late); readers add them up.
/// <c>rollup_state</c> holds each table's watermark: every <c>telemetry</c> row with <c>seq</c> at or below it is in
/// that table exactly once, and none above it, because a pass writes its rows and moves the watermark in one transaction.
/// </para>
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
        CREATE TABLE IF NOT EXISTS rollup_minute (
            bucket TIMESTAMP NOT NULL,
            device_id VARCHAR NOT NULL,
            module_id VARCHAR,
            component VARCHAR,
            name VARCHAR NOT NULL,
            value_count BIGINT NOT NULL,
            number_count BIGINT NOT NULL,
            number_sum DOUBLE,
            number_min DOUBLE,
            number_max DOUBLE,
            first_seq BIGINT NOT NULL,
            first_json VARCHAR NOT NULL,
            last_seq BIGINT NOT NULL,
            last_json VARCHAR NOT NULL
        );
        CREATE TABLE IF NOT EXISTS rollup_hour AS SELECT * FROM rollup_minute LIMIT 0;
        CREATE TABLE IF NOT EXISTS rollup_state (
            width_seconds BIGINT NOT NULL,
            seq BIGINT NOT NULL
        );
        INSERT INTO rollup_state SELECT w, 0 FROM (VALUES (60), (3600)) v(w) WHERE w NOT IN (SELECT width_seconds FROM rollup_state);
        ALTER TABLE telemetry ADD COLUMN IF NOT EXISTS modeled BOOLEAN DEFAULT false;
        ALTER TABLE messages ADD COLUMN IF NOT EXISTS traceparent VARCHAR;
        """;
}
