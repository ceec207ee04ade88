using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using DuckDB.NET.Data;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Query;

/// <summary>Section <c>Centrum:Query</c>: what one <c>POST /query</c> may cost.</summary>
public sealed class QueryOptions
{
    public const string Section = "Centrum:Query";

    /// <summary>Rows a query returns without TOP (IoT Central's cap is 10,000; raise it on a machine with room).</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>How far back a query reaches without WITHIN_WINDOW (IoT Central's 30 days).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The longest time span a WITHIN_WINDOW may name. IoT Central keeps 30 days of telemetry; raise it together with
    /// the retention when older data should be reachable, knowing that a query's cost grows with its window.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(31);

    /// <summary>
    /// How long one query may run before DuckDB is interrupted and the caller told to narrow it. Aggregates grouped by
    /// WINDOW read the rollups and take well under a second; a query the rollups cannot answer (a filter on a value,
    /// plain fields) reads raw rows, and over 30 days of 1,000 devices (864 million points) that takes 60 to 90 s on
    /// two cores, so two minutes leaves it room; lower it where such queries are not wanted, since each running query
    /// holds a DuckDB worker until it ends.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// DuckDB's <c>memory_limit</c> for an application's database, in megabytes: DuckDB's own default is 80% of the
    /// machine's memory per database, so one application's query could starve the process. Past it DuckDB spills to
    /// disk where it can and otherwise fails the query, which the caller sees as <c>QueryTooLarge</c>.
    /// </summary>
    [Range(16, 1_048_576)]
    public int MemoryLimitMegabytes { get; set; } = 1024;

    /// <summary>
    /// Most telemetry rows a query that selects or filters several fields may scan. Such a query pivots per message
    /// and holds a hash-table entry per message (measured 5.7 GB for 86 million), so its memory grows with the rows
    /// it reads; a query over one field streams and is bounded by <see cref="Timeout"/> instead.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxPivotRows { get; set; } = 10_000_000;
}

/// <summary>A query that is valid but exceeds what the server lets one query cost; <see cref="Code"/> is the API error code.</summary>
public sealed class QueryLimitException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// Runs telemetry queries: the typed tree compiles to one DuckDB statement in which every literal, name and device id is
/// a parameter or a row of a temporary table, never text spliced into SQL. The narrow telemetry table is pivoted per
/// message (sequence number), so several fields of one message form one row.
/// </summary>
public sealed partial class QueryService(TelemetryIngest ingest, IOptions<QueryOptions> options)
{
    /// <summary>
    /// <c>$ts</c> as IoT Central's query answers write it: UTC with <c>Z</c>, milliseconds with trailing zeros left out
    /// (Query_Run example, 2022-10-31-preview: <c>2021-07-13T15:00:00Z</c>; "How to use the IoT Central REST API to
    /// query devices": <c>2021-09-10T12:59:52.015Z</c>).
    /// </summary>
    internal const string TimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFF'Z'";

    /// <exception cref="QueryException">The query names a window longer than <see cref="QueryOptions.MaxWindow"/>.</exception>
    /// <exception cref="QueryLimitException">The query ran out of time or memory, or would scan too many rows.</exception>
    public async Task<IReadOnlyList<JsonObject>> ExecuteAsync(
        string applicationId, TelemetryQuery query, IReadOnlyCollection<string> deviceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var compiled = new Compiler(query, now, limits, ingest.Options.Rollups.Enabled).Compile();
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        await using (var setting = connection.CreateCommand())
        {
            // memory_limit is a setting of the database instance, which is the application's: it bounds all of its
            // queries together and the writer with them (DuckDB documents no per-query memory limit).
            setting.CommandText = string.Create(CultureInfo.InvariantCulture, $"SET memory_limit = '{limits.MemoryLimitMegabytes}MB'");
            await setting.ExecuteNonQueryAsync(cancellationToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limits.Timeout);
        try
        {
            return await RunAsync(connection, compiled, deviceIds, deadline.Token, limits.MaxPivotRows);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested && e is OperationCanceledException or DuckDBException)
        {
            throw new QueryLimitException("QueryTimeout", $"The query ran longer than {limits.Timeout.TotalSeconds:0.###} s and was stopped: narrow WITHIN_WINDOW, select fewer fields or use TOP.");
        }
        catch (DuckDBException e) when (e.Message.Contains("Out of Memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryLimitException("QueryTooLarge", $"The query needs more than the {limits.MemoryLimitMegabytes} MB the application's queries may use: narrow WITHIN_WINDOW, select fewer fields or aggregate with GROUP BY WINDOW.");
        }
    }

    /// <summary>
    /// Runs a compiled statement on an open connection, with the template's device ids in the temporary table it reads.
    /// Separate from <see cref="ExecuteAsync"/> so the query benchmark runs exactly what the server runs.
    /// </summary>
    internal static async Task<List<JsonObject>> RunAsync(
        DuckDBConnection connection, Compiled compiled, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken, long maxPivotRows = long.MaxValue)
    {
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE OR REPLACE TEMP TABLE q_devices (id VARCHAR)";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        using (var appender = connection.CreateAppender("q_devices"))
        {
            foreach (var id in deviceIds)
            {
                appender.CreateRow().AppendValue(id).EndRow();
            }
        }

        if (compiled.Scan is { } scan && maxPivotRows < long.MaxValue)
        {
            await CheckPivotRowsAsync(connection, compiled, scan, maxPivotRows, cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = compiled.Sql;
        foreach (var (name, value) in compiled.Parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        if (compiled.RollupSeconds is { } width)
        {
            command.Parameters.Add(new DuckDBParameter("watermark", await WatermarkAsync(connection, width, cancellationToken)));
        }

        // DuckDB.NET runs a statement synchronously inside ExecuteReaderAsync; Cancel interrupts it (duckdb_interrupt).
        await using var interrupt = cancellationToken.Register(command.Cancel);
        var results = new List<JsonObject>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new JsonObject();
            for (var i = 0; i < compiled.Columns.Count; i++)
            {
                var (name, kind) = compiled.Columns[i];
                row[name] = reader.IsDBNull(i) ? null : kind switch
                {
                    ColumnKind.Timestamp => JsonValue.Create(DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc).ToString(TimestampFormat, CultureInfo.InvariantCulture)),
                    ColumnKind.Text => JsonValue.Create(reader.GetString(i)),
                    ColumnKind.Number => JsonValue.Create(Convert.ToDouble(reader.GetValue(i), CultureInfo.InvariantCulture)),
                    ColumnKind.Count => JsonValue.Create(Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture)),
                    _ => JsonNode.Parse(reader.GetString(i)),
                };
            }

            results.Add(row);
        }

        return results;
    }

    /// <summary>
    /// Counts the rows a pivoting query would read, stopping one past the cap, so a query whose pivot would hold a
    /// hash-table entry for each of too many messages is refused before it allocates them.
    /// </summary>
    private static async Task CheckPivotRowsAsync(DuckDBConnection connection, Compiled compiled, string scan, long maxRows, CancellationToken cancellationToken)
    {
        await using var probe = connection.CreateCommand();
        probe.CommandText = $"SELECT count(*) FROM (SELECT 1 {scan} LIMIT $cap)";
        var used = ParameterNames().Matches(scan).Select(m => m.Value[1..]).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in compiled.Parameters.Where(p => used.Contains(p.Name)))
        {
            probe.Parameters.Add(new DuckDBParameter(name, value));
        }

        probe.Parameters.Add(new DuckDBParameter("cap", maxRows == long.MaxValue ? maxRows : maxRows + 1));
        await using var interrupt = cancellationToken.Register(probe.Cancel);
        var rows = Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (rows > maxRows)
        {
            throw new QueryLimitException(
                "QueryTooLarge",
                $"The query would read more than {maxRows:N0} telemetry values of several fields: narrow WITHIN_WINDOW, select fewer fields or query one field at a time.");
        }
    }

    /// <summary>
    /// The rollup table's watermark. Read before the statement rather than inside it so DuckDB's zone maps can skip the
    /// rolled rows by <c>seq</c>; a pass that commits in between adds only summary rows whose <c>last_seq</c> lies above
    /// this value, and the statement leaves those out, so nothing is counted twice.
    /// </summary>
    private static async Task<long> WatermarkAsync(DuckDBConnection connection, long widthSeconds, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM rollup_state WHERE width_seconds = $width";
        command.Parameters.Add(new DuckDBParameter("width", widthSeconds));
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\$p[0-9]+\b")]
    private static partial Regex ParameterNames();

    internal enum ColumnKind
    {
        Json,
        Number,
        Count,
        Text,
        Timestamp,
    }

    /// <param name="Scan">For a pivoting query, the <c>FROM telemetry WHERE …</c> it reads, to count its rows first.</param>
    /// <param name="RollupSeconds">
    /// For a statement that reads a rollup table, its width: the table's watermark is read first and passed as
    /// <c>$watermark</c>, which splits the values between the summaries and the raw rows.
    /// </param>
    internal sealed record Compiled(
        string Sql, IReadOnlyList<(string Name, object Value)> Parameters, IReadOnlyList<(string Name, ColumnKind Kind)> Columns, string? Scan = null,
        long? RollupSeconds = null);

    internal sealed class Compiler(TelemetryQuery query, DateTimeOffset now, QueryOptions options, bool rollups = false)
    {
        private readonly List<(string Name, object Value)> _parameters = [];
        private readonly List<QueryField> _fields = [];

        public Compiled Compile()
        {
            foreach (var field in query.Items.Select(i => i.Field).Concat(Fields(query.Where)).Concat(query.OrderBy is null ? [] : [query.OrderBy.Field]))
            {
                Index(field);
            }

            var (from, to) = Bounds(query.Where);
            if (rollups && RollupPlan(from, to) is { } planned)
            {
                return planned;
            }

            // Several fields are pivoted per message so they meet in one row. One field needs no pivot: each matching
            // row is that field of one message. Grouping anyway keeps a hash-table entry per message in the window
            // (measured 5.7 GB for 86 million), so 30 days of one-second telemetry from 1,000 devices, 2.6 billion
            // messages, ran out of memory and then of disk; without the pivot the query streams.
            var pivot = _fields.Count != 1;
            var sql = new StringBuilder(pivot
                ? "WITH m AS (SELECT seq, any_value(enqueued_time) AS ts, any_value(device_id) AS id"
                : "WITH m AS (SELECT seq, enqueued_time AS ts, device_id AS id");
            var matches = new List<string>();
            for (var i = 0; i < _fields.Count; i++)
            {
                var match = $"component IS NOT DISTINCT FROM {Parameter(_fields[i].Component)} AND name = {Parameter(_fields[i].Name)}";
                matches.Add($"({match})");
                if (pivot)
                {
                    sql.Append(CultureInfo.InvariantCulture, $", max(CASE WHEN {match} THEN value_number END) AS n{i}, max(CASE WHEN {match} THEN value_json END) AS j{i}");
                }
                else
                {
                    sql.Append(CultureInfo.InvariantCulture, $", value_number AS n{i}, value_json AS j{i}");
                }
            }

            var scan = new StringBuilder(" FROM telemetry WHERE device_id IN (SELECT id FROM q_devices)");
            scan.Append(CultureInfo.InvariantCulture, $" AND enqueued_time >= {Parameter(from.UtcDateTime)} AND enqueued_time < {Parameter(to.UtcDateTime)}");
            if (matches.Count > 0)
            {
                scan.Append(" AND (").Append(string.Join(" OR ", matches)).Append(')');
            }

            sql.Append(scan);

            sql.Append(pivot ? " GROUP BY seq)" : ")");
            var columns = new List<(string, ColumnKind)>();
            var select = new List<string>();
            var bucket = query.GroupWindow is { } window ? $"time_bucket(to_microseconds({Parameter(window.Ticks / TimeSpan.TicksPerMicrosecond)}), ts)" : null;
            foreach (var item in query.Items)
            {
                if (item.Field.IsTimestamp)
                {
                    select.Add(bucket ?? "ts");
                    columns.Add((item.OutputName, ColumnKind.Timestamp));
                }
                else if (item.Field.IsId)
                {
                    select.Add("id");
                    columns.Add((item.OutputName, ColumnKind.Text));
                }
                else
                {
                    var k = Index(item.Field);
                    select.Add(item.Aggregate switch
                    {
                        Aggregate.Avg => $"avg(n{k})",
                        Aggregate.Min => $"min(n{k})",
                        Aggregate.Max => $"max(n{k})",
                        Aggregate.Sum => $"sum(n{k})",
                        Aggregate.Count => $"count(j{k})",
                        Aggregate.First => $"arg_min(j{k}, seq) FILTER (WHERE j{k} IS NOT NULL)",
                        Aggregate.Last => $"arg_max(j{k}, seq) FILTER (WHERE j{k} IS NOT NULL)",
                        _ => $"j{k}",
                    });
                    columns.Add((item.OutputName, item.Aggregate switch
                    {
                        Aggregate.Avg or Aggregate.Min or Aggregate.Max or Aggregate.Sum => ColumnKind.Number,
                        Aggregate.Count => ColumnKind.Count,
                        _ => ColumnKind.Json,
                    }));
                }
            }

            if (bucket is not null && !query.Items.Any(i => i.Field.IsTimestamp))
            {
                select.Insert(0, bucket);
                columns.Insert(0, ("$ts", ColumnKind.Timestamp));
            }

            sql.Append(" SELECT ").Append(string.Join(", ", select)).Append(" FROM m");
            var conditions = new List<string>();
            if (query.Where is not null)
            {
                conditions.Add(Condition(query.Where));
            }

            var selectedTelemetry = query.Items.Where(i => !i.Field.IsId && !i.Field.IsTimestamp).Select(i => Index(i.Field)).Distinct().ToList();
            if (!query.IsAggregate && selectedTelemetry.Count > 0)
            {
                conditions.Add("(" + string.Join(" OR ", selectedTelemetry.Select(k => $"j{k} IS NOT NULL")) + ")");
            }

            if (conditions.Count > 0)
            {
                sql.Append(" WHERE ").Append(string.Join(" AND ", conditions));
            }

            if (bucket is not null)
            {
                sql.Append(" GROUP BY ").Append(bucket);
            }

            if (query.OrderBy is { } order)
            {
                sql.Append(" ORDER BY ").Append(OrderKey(order.Field, bucket)).Append(order.Descending ? " DESC" : " ASC").Append(" NULLS LAST");
            }
            else if (bucket is not null)
            {
                sql.Append(" ORDER BY ").Append(bucket);
            }
            else if (!query.IsAggregate)
            {
                sql.Append(" ORDER BY seq");
            }

            sql.Append(" LIMIT ").Append(Parameter((long)Math.Min(query.Top ?? options.MaxRows, options.MaxRows)));
            return new Compiled(sql.ToString(), _parameters, columns, pivot ? scan.ToString() : null);
        }

        /// <summary>
        /// The plan over rollups for a query grouped by a WINDOW that is a whole number of minutes: whole buckets of the
        /// widest rollup width dividing the window come from its table, the rest (window edges off the bucket grid, and
        /// every value the roller has not rolled yet, the open bucket among them) from raw rows summarized the same
        /// way, and the union is composed per window (AVG as sum / number count, FIRST and LAST by sequence number).
        /// Every aggregate then equals the raw plan's. Null when the rollups cannot answer: a filter on a telemetry
        /// value or on $ts, a WITHIN_WINDOW inside an OR, plain fields, or an ORDER BY the raw plan refuses.
        /// </summary>
        private Compiled? RollupPlan(DateTimeOffset from, DateTimeOffset to)
        {
            if (query.GroupWindow is not { } window || window < TimeSpan.FromMinutes(1)
                || query.Items.Any(i => !i.Field.IsTimestamp && (i.Field.IsId || i.Aggregate == Aggregate.None))
                || query.OrderBy is { } order && !order.Field.IsTimestamp && !query.Items.Any(i => i.Field == order.Field && i.Aggregate != Aggregate.None))
            {
                return null;
            }

            var width = Internal.RollupWidth.All.FirstOrDefault(w => window.Ticks % w.Span.Ticks == 0);
            if (width is null)
            {
                return null;
            }

            var low = from.UtcDateTime;
            var high = to.UtcDateTime;
            var deviceConditions = new List<Condition>();
            foreach (var conjunct in Conjuncts(query.Where))
            {
                switch (conjunct)
                {
                    case WindowCondition { Duration: { } d }:
                        low = Max(low, (now - d).UtcDateTime);
                        break;
                    case WindowCondition w:
                        low = Max(low, w.Start!.Value.UtcDateTime);
                        high = Min(high, w.End!.Value.UtcDateTime);
                        break;
                    case var c when OnlyDevice(c):
                        deviceConditions.Add(c);
                        break;
                    default:
                        return null;
                }
            }

            high = Max(low, high);
            var first = width.Ceiling(low);
            var last = width.Floor(high);
            if (first >= last)
            {
                (first, last) = (low, low);
            }

            var fields = query.Items.Where(i => !i.Field.IsTimestamp).Select(i => Index(i.Field)).Distinct().Order().ToList();
            var match = fields.ToDictionary(k => k, k => $"(component IS NOT DISTINCT FROM {Parameter(_fields[k].Component)} AND name = {Parameter(_fields[k].Name)})");
            var anyField = "(" + string.Join(" OR ", match.Values) + ")";
            var (lowP, highP, firstP, lastP) = (Parameter(low), Parameter(high), Parameter(first), Parameter(last));
            var rollupWidth = Parameter(width.Microseconds);
            const string Raw = """
                SELECT time_bucket(to_microseconds({0}), enqueued_time) AS bucket, device_id AS id, component, name,
                       count(*) AS value_count, count(value_number) AS number_count, sum(value_number) AS number_sum,
                       min(value_number) AS number_min, max(value_number) AS number_max,
                       min(seq) AS first_seq, arg_min(value_json, seq) AS first_json, max(seq) AS last_seq, arg_max(value_json, seq) AS last_json
                FROM telemetry WHERE device_id IN (SELECT id FROM q_devices) AND {1} AND {2} GROUP BY ALL
                """;
            var sql = new StringBuilder("WITH parts AS (");
            sql.Append(CultureInfo.InvariantCulture, $"""
                SELECT bucket, device_id AS id, component, name, value_count, number_count, number_sum, number_min, number_max,
                       first_seq, first_json, last_seq, last_json
                FROM {width.Table} WHERE device_id IN (SELECT id FROM q_devices) AND {anyField}
                AND bucket >= {firstP} AND bucket < {lastP} AND last_seq <= $watermark
                """);

            // Three raw reads, each a plain range so DuckDB's zone maps skip the rest: the leading and trailing edges
            // off the grid, and inside the grid whatever the roller has not reached (by seq, whatever its time).
            foreach (var range in new[]
            {
                $"enqueued_time >= {lowP} AND enqueued_time < {firstP}",
                $"enqueued_time >= {lastP} AND enqueued_time < {highP}",
                $"seq > $watermark AND enqueued_time >= {firstP} AND enqueued_time < {lastP}",
            })
            {
                sql.Append(" UNION ALL ").Append(string.Format(CultureInfo.InvariantCulture, Raw, rollupWidth, anyField, range));
            }

            sql.Append(')');
            var bucket = $"time_bucket(to_microseconds({Parameter(window.Ticks / TimeSpan.TicksPerMicrosecond)}), bucket)";
            var columns = new List<(string, ColumnKind)>();
            var select = new List<string>();
            foreach (var item in query.Items)
            {
                if (item.Field.IsTimestamp)
                {
                    select.Add(bucket);
                    columns.Add((item.OutputName, ColumnKind.Timestamp));
                    continue;
                }

                var only = $"FILTER (WHERE {match[Index(item.Field)]})";
                select.Add(item.Aggregate switch
                {
                    Aggregate.Avg => $"sum(number_sum) {only} / nullif(sum(number_count) {only}, 0)",
                    Aggregate.Min => $"min(number_min) {only}",
                    Aggregate.Max => $"max(number_max) {only}",
                    Aggregate.Sum => $"sum(number_sum) {only}",
                    Aggregate.Count => $"CAST(coalesce(sum(value_count) {only}, 0) AS BIGINT)",
                    Aggregate.First => $"arg_min(first_json, first_seq) {only}",
                    _ => $"arg_max(last_json, last_seq) {only}",
                });
                columns.Add((item.OutputName, item.Aggregate switch
                {
                    Aggregate.Avg or Aggregate.Min or Aggregate.Max or Aggregate.Sum => ColumnKind.Number,
                    Aggregate.Count => ColumnKind.Count,
                    _ => ColumnKind.Json,
                }));
            }

            if (!query.Items.Any(i => i.Field.IsTimestamp))
            {
                select.Insert(0, bucket);
                columns.Insert(0, ("$ts", ColumnKind.Timestamp));
            }

            sql.Append(" SELECT ").Append(string.Join(", ", select)).Append(" FROM parts");
            if (deviceConditions.Count > 0)
            {
                sql.Append(" WHERE ").Append(string.Join(" AND ", deviceConditions.Select(Condition)));
            }

            sql.Append(" GROUP BY ").Append(bucket);
            sql.Append(" ORDER BY ").Append(query.OrderBy is { } by ? OrderKey(by.Field, bucket) + (by.Descending ? " DESC" : " ASC") + " NULLS LAST" : bucket);
            sql.Append(" LIMIT ").Append(Parameter((long)Math.Min(query.Top ?? options.MaxRows, options.MaxRows)));
            return new Compiled(sql.ToString(), _parameters, columns, RollupSeconds: width.Seconds);
        }

        private static bool OnlyDevice(Condition condition) => condition switch
        {
            AndCondition and => OnlyDevice(and.Left) && OnlyDevice(and.Right),
            OrCondition or => OnlyDevice(or.Left) && OnlyDevice(or.Right),
            CompareCondition compare => compare.Field.IsId,
            InCondition @in => @in.Field.IsId,
            _ => false,
        };

        private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

        private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

        private string OrderKey(QueryField field, string? bucket)
        {
            if (field.IsTimestamp)
            {
                return bucket ?? "ts";
            }

            if (field.IsId)
            {
                return "id";
            }

            var aggregated = query.Items.FirstOrDefault(i => i.Field == field && i.Aggregate != Aggregate.None);
            if (aggregated is not null)
            {
                // By position in the select list (one more when the bucket column was put first).
                var position = query.Items.ToList().IndexOf(aggregated) + (bucket is not null && !query.Items.Any(i => i.Field.IsTimestamp) ? 2 : 1);
                return position.ToString(CultureInfo.InvariantCulture);
            }

            if (query.IsAggregate)
            {
                throw new QueryException("An aggregate query orders by $ts or by a selected aggregate", field.Position, field.Text);
            }

            return $"n{Index(field)}";
        }

        private string Condition(Condition condition) => condition switch
        {
            AndCondition and => $"({Condition(and.Left)} AND {Condition(and.Right)})",
            OrCondition or => $"({Condition(or.Left)} OR {Condition(or.Right)})",
            WindowCondition window => window.Duration is { } d
                ? $"ts >= {Parameter((now - d).UtcDateTime)}"
                : $"(ts >= {Parameter(window.Start!.Value.UtcDateTime)} AND ts < {Parameter(window.End!.Value.UtcDateTime)})",
            InCondition @in => $"({Operand(@in.Field, @in.Values[0])} IN ({string.Join(", ", @in.Values.Select(v => Value(@in.Field, v)))}))",
            CompareCondition compare => $"({Operand(compare.Field, compare.Value)} {compare.Operator} {Value(compare.Field, compare.Value)})",
            _ => throw new InvalidOperationException("Unknown condition."),
        };

        /// <summary>Numbers compare as numbers; strings and booleans compare by their JSON text.</summary>
        private string Operand(QueryField field, QueryLiteral literal)
        {
            if (field.IsId)
            {
                return literal.Value is string ? "id" : throw new QueryException("$id compares with a 'string'", field.Position, field.Text);
            }

            if (field.IsTimestamp)
            {
                return "ts";
            }

            var k = Index(field);
            return literal.Value is double ? $"n{k}" : $"j{k}";
        }

        private string Value(QueryField field, QueryLiteral literal)
        {
            if (field.IsTimestamp)
            {
                return literal.Value is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? Parameter(time.UtcDateTime)
                    : throw new QueryException("$ts compares with an ISO 8601 time in quotes", field.Position, field.Text);
            }

            return literal.Value switch
            {
                double number => Parameter(number),
                string text when field.IsId => Parameter(text),
                string text => Parameter(JsonSerializer.Serialize(text)),
                bool flag => Parameter(flag ? "true" : "false"),
                _ => throw new QueryException("Unsupported literal", field.Position, field.Text),
            };
        }

        private (DateTimeOffset From, DateTimeOffset To) Bounds(Condition? where)
        {
            foreach (var window in Windows(where))
            {
                var span = window.Duration ?? window.End!.Value - window.Start!.Value;
                if (span > options.MaxWindow)
                {
                    throw new QueryException(
                        $"WITHIN_WINDOW spans at most {XmlConvert.ToString(options.MaxWindow)}; this one spans {XmlConvert.ToString(span)}", 0, null);
                }
            }

            // A WITHIN_WINDOW that every row must satisfy narrows the scan; otherwise the default window applies.
            foreach (var window in Conjuncts(where).OfType<WindowCondition>())
            {
                return window.Duration is { } d ? (now - d, now.AddSeconds(1)) : (window.Start!.Value, window.End!.Value);
            }

            return (now - options.DefaultWindow, now.AddSeconds(1));
        }

        private static IEnumerable<WindowCondition> Windows(Condition? condition) => condition switch
        {
            AndCondition and => Windows(and.Left).Concat(Windows(and.Right)),
            OrCondition or => Windows(or.Left).Concat(Windows(or.Right)),
            WindowCondition window => [window],
            _ => [],
        };

        private static IEnumerable<Condition> Conjuncts(Condition? condition) => condition switch
        {
            null => [],
            AndCondition and => Conjuncts(and.Left).Concat(Conjuncts(and.Right)),
            _ => [condition],
        };

        private static IEnumerable<QueryField> Fields(Condition? condition) => condition switch
        {
            AndCondition and => Fields(and.Left).Concat(Fields(and.Right)),
            OrCondition or => Fields(or.Left).Concat(Fields(or.Right)),
            CompareCondition compare => [compare.Field],
            InCondition @in => [@in.Field],
            _ => [],
        };

        private int Index(QueryField field)
        {
            if (field.IsId || field.IsTimestamp)
            {
                return -1;
            }

            var index = _fields.FindIndex(f => f.Component == field.Component && f.Name == field.Name);
            if (index < 0)
            {
                _fields.Add(field);
                index = _fields.Count - 1;
            }

            return index;
        }

        private string Parameter(object? value)
        {
            var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
            _parameters.Add((name, value ?? DBNull.Value));
            return "$" + name;
        }
    }
}
