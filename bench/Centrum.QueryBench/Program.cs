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

var email = new Option<string>("--email") { Description = "A member of the application with a local account, signed in by the browser.", Required = true };
var password = new Option<string>("--password") { Required = true };
var application = new Option<string>("--application") { DefaultValueFactory = _ => "qbench" };
var tiles = new Option<int>("--tiles") { DefaultValueFactory = _ => 10 };
var serverProcess = new Option<int?>("--server-pid") { Description = "Sample this process's stacks with dotnet-stack during one more measured run." };
var stacks = new Option<string>("--stacks") { Description = "Where the stack samples go.", DefaultValueFactory = _ => "stacks.txt" };

var dashboardSetup = new Command("dashboard-setup", "Create the bench fleet's device group and a dashboard of line-chart tiles over it through REST.") { api, token, ca, tiles, days };
dashboardSetup.SetAction(async (result, cancellationToken) =>
{
    using var http = BenchFleet.Client(result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!);
    await DashboardBench.SetupAsync(http, result.GetValue(tiles), result.GetValue(days), cancellationToken);
    return 0;
});

var dashboard = new Command("dashboard", "Open the bench dashboard in chromium until every tile is drawn, cold and warm, and run its tile queries through REST.")
{
    api, token, ca, email, password, application, tiles, days, repeats, serverProcess, stacks,
};
dashboard.SetAction((result, cancellationToken) => DashboardBench.RunAsync(
    new DashboardSettings(
        result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!, result.GetValue(email)!, result.GetValue(password)!, result.GetValue(application)!,
        result.GetValue(tiles), result.GetValue(days), result.GetValue(repeats), result.GetValue(serverProcess), result.GetValue(stacks)),
    Console.Out, cancellationToken));

var from = new Option<string>("--from") { Required = true };
var to = new Option<string>("--to") { Required = true };
var queryOutput = new Option<string>("--query-out") { Description = "Where the page's query text goes, for the REST and direct runs.", Required = true };
var explorer = new Command("explorer", "Build an hourly average over [from, to) in the data explorer page and time Run to the result and the chart.")
{
    api, email, password, application, from, to, repeats, output, queryOutput, serverProcess, stacks,
};
explorer.SetAction(result => ExplorerBench.RunAsync(
    new ExplorerSettings(
        result.GetValue(api)!, result.GetValue(email)!, result.GetValue(password)!, result.GetValue(application)!, result.GetValue(from)!, result.GetValue(to)!,
        result.GetValue(repeats), result.GetValue(output)!, result.GetValue(queryOutput)!, result.GetValue(serverProcess), result.GetValue(stacks)),
    Console.Out));

var root = new RootCommand("Query latency: IoT Central's query language through Centrum's REST API, and the same SQL directly on DuckDB.")
{
    setup, seed, rest, direct, compare, dashboardSetup, dashboard, explorer,
};
return await root.Parse(args).InvokeAsync();
