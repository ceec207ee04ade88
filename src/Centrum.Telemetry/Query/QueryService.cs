using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Query;

/// <summary>Section <c>Centrum:Query</c>.</summary>
public sealed class QueryOptions
{
    public const string Section = "Centrum:Query";

    /// <summary>Rows a query returns without TOP (IoT Central's cap is 10,000; raise it on a machine with room).</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>How far back a query reaches without WITHIN_WINDOW (IoT Central's 30 days).</summary>
    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Runs telemetry queries: the typed tree compiles to one DuckDB statement in which every literal, name and device id is
/// a parameter or a row of a temporary table, never text spliced into SQL. The narrow telemetry table is pivoted per
/// message (sequence number), so several fields of one message form one row.
/// </summary>
public sealed class QueryService(TelemetryIngest ingest, IOptions<QueryOptions> options)
{
    public async Task<IReadOnlyList<JsonObject>> ExecuteAsync(
        string applicationId, TelemetryQuery query, IReadOnlyCollection<string> deviceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var compiled = new Compiler(query, now, options.Value).Compile();
        await using var connection = ingest.Store(applicationId).OpenReadConnection();
        return await RunAsync(connection, compiled, deviceIds, cancellationToken);
    }

    /// <summary>
    /// Runs a compiled statement on an open connection, with the template's device ids in the temporary table it reads.
    /// Separate from <see cref="ExecuteAsync"/> so the query benchmark runs exactly what the server runs.
    /// </summary>
    internal static async Task<List<JsonObject>> RunAsync(
        DuckDBConnection connection, Compiled compiled, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
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

        await using var command = connection.CreateCommand();
        command.CommandText = compiled.Sql;
        foreach (var (name, value) in compiled.Parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

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
                    ColumnKind.Timestamp => JsonValue.Create(DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
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

    internal enum ColumnKind
    {
        Json,
        Number,
        Count,
        Text,
        Timestamp,
    }

    internal sealed record Compiled(string Sql, IReadOnlyList<(string Name, object Value)> Parameters, IReadOnlyList<(string Name, ColumnKind Kind)> Columns);

    internal sealed class Compiler(TelemetryQuery query, DateTimeOffset now, QueryOptions options)
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

            sql.Append(" FROM telemetry WHERE device_id IN (SELECT id FROM q_devices)");
            sql.Append(CultureInfo.InvariantCulture, $" AND enqueued_time >= {Parameter(from.UtcDateTime)} AND enqueued_time < {Parameter(to.UtcDateTime)}");
            if (matches.Count > 0)
            {
                sql.Append(" AND (").Append(string.Join(" OR ", matches)).Append(')');
            }

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
            return new Compiled(sql.ToString(), _parameters, columns);
        }

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
            // A WITHIN_WINDOW that every row must satisfy narrows the scan; otherwise the default window applies.
            foreach (var window in Conjuncts(where).OfType<WindowCondition>())
            {
                return window.Duration is { } d ? (now - d, now.AddSeconds(1)) : (window.Start!.Value, window.End!.Value);
            }

            return (now - options.DefaultWindow, now.AddSeconds(1));
        }

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
