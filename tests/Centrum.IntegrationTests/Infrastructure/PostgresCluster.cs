using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>Which metadata store a server or test runs on.</summary>
public enum MetadataStore
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The PostgreSQL the tests run on: the server in <c>CENTRUM_TEST_POSTGRES</c> (a connection string whose user may
/// create databases) when set, otherwise a private cluster this test process starts once (initdb and pg_ctl of
/// Debian's <c>postgresql</c> package, a temp data folder, its own port and socket folder) and stops when it exits.
/// Each caller gets a database of its own (<see cref="CreateDatabaseAsync"/>). Without PostgreSQL the tests fail and
/// say what to install; they are never skipped.
/// </summary>
internal static class PostgresCluster
{
    public const string EnvironmentVariable = "CENTRUM_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A new, empty database; returns its connection string. Dropped by <see cref="DropDatabaseAsync"/>.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await Server.Value;
        var name = "centrum_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new NpgsqlConnectionStringBuilder(given) { Database = new NpgsqlConnectionStringBuilder(given).Database ?? "postgres" }.ConnectionString;
        }

        var bin = Binaries();
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "postgres-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(folder, "data");
        var sockets = Path.Combine(folder, "sockets");
        Directory.CreateDirectory(sockets);
        var port = FreePort();

        // PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not permitted"); CI runs the
        // tests as root, so the cluster belongs to the postgres user there.
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", folder]);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "centrum", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asRoot);
        // A test cluster: nothing in it must survive a power cut, so it skips fsync; enough connections for the
        // servers the tests run at once, each with its pool.
        var options = string.Join(' ',
            "-p", port.ToString(CultureInfo.InvariantCulture), "-k", sockets, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=400");
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "60", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin, data, folder, asRoot);

        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "centrum",
            Database = "postgres",
        }.ConnectionString;
    }

    /// <summary>The newest installed PostgreSQL's server programs (Debian keeps them out of PATH).</summary>
    private static string Binaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return installed ?? onPath ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed: install it (Debian: apt-get install postgresql) or set {EnvironmentVariable} to the connection string of a server whose user may create databases. The PostgreSQL metadata-store tests need it.");
    }

    private static void Stop(string bin, string data, string folder, bool asRoot)
    {
        try
        {
            RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot).GetAwaiter().GetResult();
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // The process is exiting; the OS temp cleaner takes what is left.
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres = false)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
