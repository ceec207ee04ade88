using System.CommandLine;
using System.Globalization;
using Centrum.QueryBench;
using Centrum.Telemetry;

var api = new Option<string>("--api") { Description = "Base address of Centrum's HTTPS endpoint.", Required = true };
var token = new Option<string>("--token") { Required = true };
var ca = new Option<string>("--ca") { Description = "PEM of the CA that signed the server certificate.", Required = true };
var devices = new Option<int>("--devices") { DefaultValueFactory = _ => 1000 };
var file = new Option<string>("--file") { Description = "The application's telemetry.duckdb.", Required = true };
var query = new Option<string>("--query") { Required = true };
var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 5 };
var output = new Option<string>("--out") { Required = true };

var setup = new Command("setup", "Create the bench device template and its devices through the REST API.") { api, token, ca, devices };
setup.SetAction(async (result, cancellationToken) =>
{
    using var http = BenchFleet.Client(result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!);
    await BenchFleet.CreateAsync(http, result.GetValue(devices), cancellationToken);
    return 0;
});

var start = new Option<DateTime>("--start") { Description = "UTC time of the first point.", Required = true };
var days = new Option<int>("--days") { DefaultValueFactory = _ => 30 };
var interval = new Option<int>("--interval") { Description = "Seconds between a device's points.", DefaultValueFactory = _ => 1 };
var seedThreads = new Option<int>("--threads") { Description = "DuckDB threads for seeding.", DefaultValueFactory = _ => Environment.ProcessorCount };
var chunk = new Option<long>("--chunk-rows") { Description = "Points per transaction.", DefaultValueFactory = _ => 20_000_000 };
var seed = new Command("seed", "Fill an application's telemetry database with generated points, in the writer's shape.") { file, devices, start, days, interval, seedThreads, chunk };
seed.SetAction(result =>
{
    var settings = new SeedSettings(
        result.GetValue(file)!, result.GetValue(devices), DateTime.SpecifyKind(result.GetValue(start).ToUniversalTime(), DateTimeKind.Unspecified),
        result.GetValue(days), result.GetValue(interval), result.GetValue(seedThreads), result.GetValue(chunk));
    Console.WriteLine(TelemetrySeeder.Run(settings, Console.Error).ToJson());
    return 0;
});

var rest = new Command("rest", "Run the query through POST /api/query and save the latencies and results.") { api, token, ca, query, repeats, output };
rest.SetAction(async (result, cancellationToken) =>
{
    using var http = BenchFleet.Client(result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!);
    var report = await RestRun.RunAsync(http, result.GetValue(query)!, result.GetValue(repeats), cancellationToken);
    report.Save(result.GetValue(output)!);
    Console.WriteLine(report.Summary());
    return 0;
});

var directThreads = new Option<int>("--threads")
{
    Description = "DuckDB threads; default the server's (Centrum:Telemetry:DuckDbThreads unset).",
    DefaultValueFactory = _ => new TelemetryOptions().EffectiveDuckDbThreads,
};
var explain = new Option<bool>("--explain") { Description = "Also print DuckDB's EXPLAIN ANALYZE of the statement." };
var plan = new Option<string>("--plan")
{
    Description = "rollups: the statement the server runs (rollup tables where they answer); raw: the plan over raw rows only, as before rollups.",
    DefaultValueFactory = _ => "rollups",
};
plan.AcceptOnlyFromAmong("rollups", "raw");
var direct = new Command("direct", "Run the statement the query compiles to directly on the database file.") { file, query, devices, repeats, directThreads, explain, plan, output };
direct.SetAction(async (result, cancellationToken) =>
{
    var report = await DirectRun.RunAsync(
        result.GetValue(file)!, result.GetValue(query)!, BenchFleet.DeviceIds(result.GetValue(devices)), result.GetValue(repeats),
        result.GetValue(directThreads), result.GetValue(explain), result.GetValue(plan) == "rollups", Console.Error, cancellationToken);
    report.Save(result.GetValue(output)!);
    Console.WriteLine(report.Summary());
    return 0;
});

var restReport = new Option<string>("--rest") { Required = true };
var directReport = new Option<string>("--direct") { Required = true };
var compare = new Command("compare", "Print both sides, the ratio REST / direct, and check both returned the same results.") { restReport, directReport };
compare.SetAction(result =>
{
    var (r, d) = (QueryReport.Load(result.GetValue(restReport)!), QueryReport.Load(result.GetValue(directReport)!));
    Console.WriteLine(r.Summary());
    Console.WriteLine(d.Summary());
    var warm = r.WarmMs.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $", warm p50 {QueryReport.Median(r.WarmMs) / QueryReport.Median(d.WarmMs):F2}") : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio REST / direct: cold {r.ColdMs / d.ColdMs:F2}{warm}"));
    if (QueryReport.Difference(r.Results, d.Results, 1e-9) is { } difference)
    {
        Console.WriteLine($"results differ: {difference}");
        return 1;
    }

    Console.WriteLine($"results: the same {r.Results.Count} rows (numbers within 1e-9)");
    return 0;
});

var root = new RootCommand("Query latency: IoT Central's query language through Centrum's REST API, and the same SQL directly on DuckDB.")
{
    setup, seed, rest, direct, compare,
};
return await root.Parse(args).InvokeAsync();
