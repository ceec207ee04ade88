using System.Diagnostics;
using System.Globalization;
using Centrum.Audit;
using Centrum.Devices;
using Centrum.DeviceListBench;
using Centrum.Organizations;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

// Server time to the first page of a large device list: the devices area's calls the device list page makes (first
// page and count), each beside the same query written as raw SQL on the same SQLite file, in one run.
//
//   dotnet run -c Release --project bench/Centrum.DeviceListBench [devices=100000] [repeats=30]
//
// DEVICE_LIST_BENCH_SQL=1 also prints each statement the area ran, with SQLite's plan for it.
var devices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
const string App = "bench";
const int PageSize = 50;
const int Connected = 1_000;
const int Organizations = 10;

var connections = new BenchConnections();
var commands = new BenchCommands();
await using var host = await SqliteAreaHost.StartAsync("device-list-bench", (services, _) => services
    .AddCentrumDevices()
    .AddSingleton<ITemplateCatalog>(new BenchTemplates())
    .AddSingleton<IOrganizationCatalog>(new BenchOrganizations())
    .AddSingleton<IDeviceConnections>(connections)
    .AddSingleton<IAuditTrail>(new BenchAudit())
    .AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(commands));
var registry = host.Services.GetRequiredService<DeviceRegistry>();

var seeding = Stopwatch.StartNew();
string connectionString;
await using (var db = await host.Contexts.CreateDbContextAsync())
{
    connectionString = db.Database.GetConnectionString()!;
    db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "Bench", HubHostName = "bench.localhost", IdScope = "0ne0000bench" });
    await db.SaveChangesAsync();
}

var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
for (var offset = 0; offset < devices; offset += 10_000)
{
    await using var db = await host.Contexts.CreateDbContextAsync();
    db.ChangeTracker.AutoDetectChangesEnabled = false;
    for (var i = offset; i < Math.Min(devices, offset + 10_000); i++)
    {
        db.Devices.Add(new DeviceEntity
        {
            ApplicationId = App,
            Id = $"device-{i:D6}",
            DisplayName = $"Sensor {(i * 7919) % devices:D6}",
            TemplateId = $"template-{i % 5}",
            Enabled = i % 10 != 0,
            Simulated = i % 4 == 0,
            Organizations = $"[\"org-{i % Organizations}\"]",
            PrimaryKeyProtected = "-",
            SecondaryKeyProtected = "-",
            ETag = i.ToString(CultureInfo.InvariantCulture),
            LastConnectTime = i % 3 == 0 ? null : start.AddSeconds(i * 13 % devices),
        });
    }

    await db.SaveChangesAsync();
}

for (var i = 0; i < Connected; i++)
{
    connections.Connect(App, $"device-{i * (devices / Connected):D6}");
}

Console.WriteLine($"Seeded {devices} devices in {seeding.Elapsed.TotalSeconds:F1} s; {Connected} connected, {Organizations} organizations; page size {PageSize}, {repeats} repeats after 3 warm-ups");
Console.WriteLine();
Console.WriteLine($"{"query",-44} {"area p50",9} {"area p95",9} {"raw SQL p50",12} {"ratio",6}  rows");

var all = OrganizationReach.WholeApplication;
var org = OrganizationReach.Within(["org-3"]);
const string Columns = "*";
var cases = new (string Name, DeviceListQuery Query, OrganizationReach Reach, string Sql)[]
{
    ("id order (the page's default)", new(), all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app ORDER BY Id LIMIT {PageSize + 1}"),
    ("display name order", new() { OrderBy = DeviceListOrder.DisplayName }, all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app ORDER BY COALESCE(DisplayName, ''), Id LIMIT {PageSize + 1}"),
    ("last connection, newest first", new() { OrderBy = DeviceListOrder.LastConnection, Descending = true }, all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app ORDER BY COALESCE(CAST(LastConnectTime AS TEXT), '') DESC, Id DESC LIMIT {PageSize + 1}"),
    ("search 'sensor 04242' (id or name)", new() { Search = "sensor 04242" }, all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app AND (instr(lower(Id), 'sensor 04242') > 0 OR (DisplayName IS NOT NULL AND instr(lower(DisplayName), 'sensor 04242') > 0)) ORDER BY Id LIMIT {PageSize + 1}"),
    ("template-2, enabled, not simulated", new() { Template = "template-2", Enabled = true, Simulated = false }, all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app AND TemplateId = 'template-2' AND Enabled AND NOT Simulated ORDER BY Id LIMIT {PageSize + 1}"),
    ("connected (1,000 of them)", new() { Connected = true }, all,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app AND Id IN (SELECT value FROM json_each(@connected)) ORDER BY Id LIMIT {PageSize + 1}"),
    ("organization-scoped caller (1 of 10)", new(), org,
        $"SELECT {Columns} FROM devices WHERE ApplicationId = @app AND instr(Organizations, '\"org-3\"') > 0 ORDER BY Id LIMIT {PageSize + 1}"),
};

await using var raw = new SqliteConnection(connectionString);
await raw.OpenAsync();
var connectedJson = System.Text.Json.JsonSerializer.Serialize(connections.ConnectedDevices(App));
foreach (var (name, query, reach, sql) in cases)
{
    var rows = 0;
    var area = await TimeAsync(async () =>
    {
        var page = await registry.ListAsync(App, query, null, PageSize, reach, CancellationToken.None);
        rows = page.Value!.Devices.Count;
    });
    var direct = await TimeAsync(() => RawAsync(sql));
    Console.WriteLine($"{name,-44} {Ms(area.P50),9} {Ms(area.P95),9} {Ms(direct.P50),12} {area.P50 / direct.P50,6:F1}  {rows}");
}

var counts = new (string Name, DeviceListQuery Query, string Sql)[]
{
    ("count, whole application (bounded)", new(), $"SELECT COUNT(*) FROM (SELECT Id FROM devices WHERE ApplicationId = @app LIMIT {DeviceRegistry.CountLimit + 1})"),
    ("count, search 'sensor 04242'", new() { Search = "sensor 04242" },
        $"SELECT COUNT(*) FROM (SELECT Id FROM devices WHERE ApplicationId = @app AND (instr(lower(Id), 'sensor 04242') > 0 OR (DisplayName IS NOT NULL AND instr(lower(DisplayName), 'sensor 04242') > 0)) LIMIT {DeviceRegistry.CountLimit + 1})"),
};
foreach (var (name, query, sql) in counts)
{
    DeviceCount? counted = null;
    var area = await TimeAsync(async () => counted = (await registry.CountAsync(App, query, all, CancellationToken.None)).Value);
    var direct = await TimeAsync(() => RawAsync(sql));
    Console.WriteLine($"{name,-44} {Ms(area.P50),9} {Ms(area.P95),9} {Ms(direct.P50),12} {area.P50 / direct.P50,6:F1}  {counted!.Count}{(counted.More ? "+" : "")}");
}

var exact = await TimeAsync(() => RawAsync("SELECT COUNT(*) FROM devices WHERE ApplicationId = @app"));
Console.WriteLine($"{"exact count of the fleet, raw SQL only (unused)",-44} {"",9} {"",9} {Ms(exact.P50),12}");

if (Environment.GetEnvironmentVariable("DEVICE_LIST_BENCH_SQL") == "1")
{
    Console.WriteLine();
    foreach (var sql in commands.Executed.Distinct())
    {
        Console.WriteLine(sql);
        Console.WriteLine("  plan: " + await PlanAsync(sql));
    }
}

async Task<string> PlanAsync(string sql)
{
    await using var command = raw.CreateCommand();
    command.CommandText = "EXPLAIN QUERY PLAN " + sql;
    foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"@\w+").Select(m => m.Value).Distinct())
    {
        command.Parameters.AddWithValue(name, DBNull.Value);
    }

    var steps = new List<string>();
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        steps.Add(reader.GetString(3));
    }

    return string.Join("; ", steps);
}

async Task RawAsync(string sql)
{
    await using var command = raw.CreateCommand();
    command.CommandText = sql;
    command.Parameters.AddWithValue("@app", App);
    command.Parameters.AddWithValue("@connected", connectedJson);
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        // Every column read, as the area's query materializes every column of a device.
        for (var c = 0; c < reader.FieldCount; c++)
        {
            _ = reader.GetValue(c);
        }
    }
}

async Task<(double P50, double P95)> TimeAsync(Func<Task> run)
{
    for (var i = 0; i < 3; i++)
    {
        await run();
    }

    var times = new double[repeats];
    for (var i = 0; i < repeats; i++)
    {
        var watch = Stopwatch.StartNew();
        await run();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }

    Array.Sort(times);
    return (times[repeats / 2], times[Math.Min(repeats - 1, (int)Math.Ceiling(repeats * 0.95) - 1)]);
}

static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture) + " ms";
