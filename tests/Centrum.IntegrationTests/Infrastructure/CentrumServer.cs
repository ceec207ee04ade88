using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// The real server executable in its own process, on its own loopback address and data folder, on the SDKs' fixed
/// ports (8883 for MQTT, 443 for HTTPS and WebSockets). It can be killed hard and started again on the same data.
/// Any error the server logged fails the test when it is disposed, unless the test declared it expected.
/// </summary>
internal sealed class CentrumServer : IAsyncDisposable
{
    public const string HostName = "centrum.test";

    private readonly ConcurrentQueue<string> _log = new();
    private readonly List<string> _expectedErrors = [];
    private Process? _process;

    /// <summary>An administrator's client per application, its token made by the CLI once per start of the server.</summary>
    private readonly ConcurrentDictionary<string, HttpClient> _admins = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _settings;

    private CentrumServer(string dataFolder, IPAddress address, Dictionary<string, string> settings, string? postgres)
    {
        DataFolder = dataFolder;
        Address = address;
        _settings = settings;
        PostgreSqlConnectionString = postgres;
    }

    /// <summary>The server's own PostgreSQL database when it runs on PostgreSQL; null on SQLite.</summary>
    public string? PostgreSqlConnectionString { get; private set; }

    /// <summary>The next start (and command-line verb) uses this PostgreSQL database, which is dropped with the server.</summary>
    public void MoveToPostgreSql(string connectionString)
    {
        PostgreSqlConnectionString = connectionString;
        _settings["Centrum:Storage:Provider"] = "PostgreSql";
        _settings["Centrum:Storage:PostgreSqlConnectionString"] = connectionString;
    }

    public MetadataStore Store => PostgreSqlConnectionString is null ? MetadataStore.Sqlite : MetadataStore.PostgreSql;

    public string DataFolder { get; }

    public IPAddress Address { get; }

    public IReadOnlyDictionary<string, string> Settings => _settings;

    public string CaCertificatePath => Path.Combine(DataFolder, "certificates", "ca.pem");

    /// <summary>The default application's hub host name, which devices put in their connection strings.</summary>
    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "The host name belongs to the server under test; tests ask their server for it, not the class.")]
    public string HubHostName => $"default.{HostName}";

    public Uri BaseAddress => new($"https://{Address}/");

    public string Log => string.Join('\n', _log);

    /// <summary>
    /// A server on a fresh data folder; on <see cref="MetadataStore.PostgreSql"/> its metadata is in a database of its
    /// own on the test cluster (<see cref="PostgresCluster"/>), dropped when the server is disposed.
    /// </summary>
    public static async Task<CentrumServer> StartAsync(IReadOnlyDictionary<string, string>? settings = null, IPAddress? address = null, MetadataStore store = MetadataStore.Sqlite)
    {
        var folder = Path.Combine(Path.GetTempPath(), "centrum-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        string? postgres = null;
        if (store == MetadataStore.PostgreSql)
        {
            postgres = await PostgresCluster.CreateDatabaseAsync();
            all["Centrum:Storage:Provider"] = "PostgreSql";
            all["Centrum:Storage:PostgreSqlConnectionString"] = postgres;
        }

        var server = new CentrumServer(folder, address ?? LoopbackAddresses.Next(), all, postgres);
        await server.StartAsync();
        return server;
    }

    public void ExpectError(string fragment) => _expectedErrors.Add(fragment);

    public async Task StartAsync()
    {
        var arguments = new List<string>
        {
            Repository.ServerAssembly,
            $"--Centrum:Storage:DataFolder={DataFolder}",
            $"--Centrum:Network:HostNames:0={HostName}",
            $"--Centrum:Network:ListenAddresses:0={Address}",
            "--Centrum:Network:MqttPort=8883",
            "--Centrum:Network:AmqpPort=5671",
            "--Centrum:Network:HttpsPort=443",
            $"--Centrum:Network:ManagementUrl=http://{Address}:9464",
            "--Logging:LogLevel:Default=Information",
            // Test receivers live on loopback, which export destinations may reach only when allowed; a test that
            // proves the default refusal sets it back to false.
            "--Centrum:Export:AllowLocalDestinations=true",
            // The first-run demo (a template and simulated devices) would put devices and data beside every test's own;
            // a test of the demo turns it on.
            "--Centrum:Simulation:Demo=false",
        };
        arguments.AddRange(Settings.Select(s => $"--{s.Key}={s.Value}"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ForEach(start.ArgumentList.Add);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue("stderr: " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Wait.UntilAsync(async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Log}");
                }

                try
                {
                    return (await probe.GetAsync($"http://{Address}:9464/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the server is ready");
        }
        catch (TimeoutException)
        {
            // Nobody holds a server that never got ready, so nobody would stop it: it would run on beside the next
            // tests, taking the CPU they need to get ready in time.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
        ForgetAdministrators();
    }

    /// <summary>SIGTERM: a graceful stop.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // What the server was doing when it would not stop is in its log; the process goes, so the next test starts clean.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"The server did not stop within 30 s of SIGTERM. Its log:\n{Log}");
        }

        ForgetAdministrators();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Runs a command-line verb of the server executable against this server's data folder.</summary>
    public Task<string> RunCliAsync(params string[] args) => RunCliAsync(args, withSettings: true);

    /// <summary>Runs a command-line verb without this server's storage settings, as a misconfigured operator would.</summary>
    public Task<string> RunCliWithoutSettingsAsync(params string[] args) => RunCliAsync(args, withSettings: false);

    private async Task<string> RunCliAsync(string[] args, bool withSettings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repository.ServerAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add($"--Centrum:Storage:DataFolder={DataFolder}");
        start.ArgumentList.Add($"--Centrum:Network:HostNames:0={HostName}");

        // The command line reads the same configuration as the server (an operator's appsettings or environment).
        foreach (var (key, value) in Settings.Where(s => withSettings && s.Key.StartsWith("Centrum:Storage:", StringComparison.Ordinal)))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"centrum {string.Join(' ', args)} exited with {process.ExitCode}: {await error}");
        }

        return (await output).Trim();
    }

    public Task<string> CreateTokenAsync(string id, string role = "admin", string application = "default", string? expiry = null) =>
        expiry is null
            ? RunCliAsync("token", "create", "--app", application, "--id", id, "--role", role)
            : RunCliAsync("token", "create", "--app", application, "--id", id, "--role", role, "--expiry", expiry);

    /// <summary>An HTTPS client that trusts only this server's CA, as a device or script given the CA would.</summary>
    public HttpClient Http(string? token = null)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificatePath));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => TrustedByCa(certificate, ca),
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        }

        return client;
    }

    public HttpClient AdminHttp() => AdminHttpAsync().GetAwaiter().GetResult();

    /// <summary>
    /// An administrator of <paramref name="application"/> (which exists), kept until the server stops: each token the
    /// CLI makes is a process of its own, about half a server start in CPU, so helpers that need an administrator only
    /// to set a case up share this one. Tests of tokens themselves make their own with <see cref="CreateTokenAsync"/>.
    /// </summary>
    public async Task<HttpClient> AdminHttpAsync(string application = "default")
    {
        if (_admins.TryGetValue(application, out var known))
        {
            return known;
        }

        var created = Http(await CreateTokenAsync("admin-" + Guid.NewGuid().ToString("N")[..8], application: application));
        var kept = _admins.GetOrAdd(application, created);
        if (!ReferenceEquals(kept, created))
        {
            created.Dispose();
        }

        return kept;
    }

    private void ForgetAdministrators()
    {
        foreach (var client in _admins.Values)
        {
            client.Dispose();
        }

        _admins.Clear();
    }

    public static bool TrustedByCa(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    public async ValueTask DisposeAsync()
    {
        ForgetAdministrators();
        if (_process is { HasExited: false })
        {
            await StopAsync();
        }

        _process?.Dispose();
        var errors = _log.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))
            .Where(l => !_expectedErrors.Any(e => l.Contains(e, StringComparison.Ordinal)))
            .ToList();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }

        if (PostgreSqlConnectionString is not null)
        {
            await PostgresCluster.DropDatabaseAsync(PostgreSqlConnectionString);
        }

        if (errors.Count > 0)
        {
            var log = _log.ToList();
            var context = errors.SelectMany(e => log.Skip(log.IndexOf(e)).Take(4)).Distinct();
            throw new InvalidOperationException("The server logged errors:\n" + string.Join('\n', context));
        }
    }

    /// <summary>
    /// Waits until the device's persistent session holds a filter, reading the metadata database as the server wrote it:
    /// the SDK subscribes lazily and tells its application nothing when the SUBACK arrives.
    /// </summary>
    public Task WaitForSubscriptionAsync(string deviceId, string filter, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () =>
        {
            if (PostgreSqlConnectionString is not null)
            {
                await using var postgres = new Npgsql.NpgsqlConnection(PostgreSqlConnectionString);
                await postgres.OpenAsync();
                await using var query = new Npgsql.NpgsqlCommand("SELECT \"Subscriptions\" FROM mqtt_sessions WHERE \"ApplicationId\" = 'default' AND \"ClientId\" = @id", postgres);
                query.Parameters.AddWithValue("id", deviceId);
                return await query.ExecuteScalarAsync() is string subscriptions && subscriptions.Contains(filter, StringComparison.Ordinal);
            }

            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(DataFolder, "centrum.db")};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT Subscriptions FROM mqtt_sessions WHERE ApplicationId = 'default' AND ClientId = $id";
            command.Parameters.AddWithValue("$id", deviceId);
            var json = command.ExecuteScalar() as string;
            return json is not null && json.Contains(filter, StringComparison.Ordinal);
        }, timeout ?? TimeSpan.FromSeconds(30), $"device {deviceId} subscribed to {filter}");

    public static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
