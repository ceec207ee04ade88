using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Centrum.Telemetry.Query;
using DuckDB.NET.Data;

namespace Centrum.QueryBench;

/// <summary>
/// The statement the server's compiler emits for the query, with the same parameters and device-id table, run on the
/// database file in this process. Like the server, one database instance stays open and each run takes a new
/// connection on it, with the same DuckDB thread count.
/// </summary>
internal static class DirectRun
{
    public static async Task<QueryReport> RunAsync(
        string file, string text, IReadOnlyList<string> deviceIds, int repeats, int threads, bool explain, bool rollups, TextWriter log, CancellationToken cancellationToken)
    {
        // An absolute WITHIN_WINDOW does not depend on now, so the parameters equal the server's.
        var compiled = new QueryService.Compiler(QueryParser.Parse(text), DateTimeOffset.UtcNow, new QueryOptions(), rollups).Compile();
        log.WriteLine(compiled.Sql);
        log.WriteLine(string.Join(", ", compiled.Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"${p.Name} = {Format(p.Value)}"))));

        var opening = Stopwatch.GetTimestamp();
        var connectionString = $"Data Source={file}";
        await using var database = new DuckDBConnection(connectionString);
        await database.OpenAsync(cancellationToken);
        await using (var set = database.CreateCommand())
        {
            set.CommandText = $"SET threads = {threads.ToString(CultureInfo.InvariantCulture)}";
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"direct: opened the database in {Stopwatch.GetElapsedTime(opening).TotalMilliseconds:F0} ms, {threads} DuckDB thread(s)"));
        var latencies = new List<double>();
        List<JsonObject> rows = [];
        for (var i = 0; i < repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var connection = new DuckDBConnection(connectionString))
            {
                await connection.OpenAsync(cancellationToken);
                rows = await QueryService.RunAsync(connection, compiled, deviceIds.ToList(), cancellationToken);
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (explain)
        {
            // Where the time goes, per operator, from one more (warm) run.
            var analyze = compiled with
            {
                Sql = "EXPLAIN ANALYZE " + compiled.Sql,
                Columns = [("key", QueryService.ColumnKind.Text), ("plan", QueryService.ColumnKind.Text)],
            };
            await using var connection = new DuckDBConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            foreach (var row in await QueryService.RunAsync(connection, analyze, deviceIds.ToList(), cancellationToken))
            {
                log.WriteLine((string?)row["plan"]);
            }
        }

        return new QueryReport(rollups ? "direct" : "direct, raw plan", latencies, new JsonArray(rows.Select(r => (JsonNode)r).ToArray()));
    }

    private static string Format(object value) => value switch
    {
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        string s => $"'{s}'",
        DBNull => "NULL",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
