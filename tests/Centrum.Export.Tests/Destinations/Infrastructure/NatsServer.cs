using System.Globalization;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>
/// A real <c>nats-server</c> with JetStream, on a port and a store folder of its own, optionally requiring a token.
/// CI installs it with apt (.ci/run); a machine without it fails the tests saying so.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private readonly TestFolder _folder = new();
    private readonly string? _token;
    private ChildProcess? _process;

    public NatsServer()
        : this(ChildProcess.FreePort(), null)
    {
    }

    private NatsServer(int port, string? token)
    {
        Port = port;
        _token = token;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A server of the calling test's own, on <paramref name="port"/> if given, requiring <paramref name="token"/> if given.</summary>
    public static async Task<NatsServer> StartAsync(int? port = null, string? token = null)
    {
        var server = new NatsServer(port ?? ChildProcess.FreePort(), token);
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        List<string> arguments = ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", _folder.Path];
        if (_token is not null)
        {
            arguments.AddRange(["--auth", _token]);
        }

        _process = await ChildProcess.StartAsync(Executable(), arguments, Port, "nats-server");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _folder.Dispose();
    }

    /// <summary>Debian installs it in /usr/sbin, which is not on every user's PATH.</summary>
    private static string Executable()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, "nats-server"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server is not installed: install it (Debian: apt-get install nats-server) to run the NATS destination tests.");
    }
}
