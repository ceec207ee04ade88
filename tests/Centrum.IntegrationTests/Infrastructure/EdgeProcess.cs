using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// The built <c>centrum-edge</c> as its own process, so a test can kill it as a crash would (SIGKILL) and start it again
/// on the same files. Its settings go on the command line, its key through the environment as docs/edge.md says.
/// An error in its log fails the test that stops it.
/// </summary>
internal sealed class EdgeProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Dictionary<string, string> _settings;
    private readonly string _key;
    private Process? _process;

    public EdgeProcess(IPAddress address, string key, IReadOnlyDictionary<string, string> settings)
    {
        Address = address;
        _key = key;
        _settings = new Dictionary<string, string>(settings)
        {
            ["Edge:Downstream:Address"] = address.ToString(),
            ["Logging:LogLevel:Default"] = "Information",
        };
    }

    public IPAddress Address { get; }

    public string Log => string.Join('\n', _log);

    /// <summary>Starts the process and waits until its downstream listener takes connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repository.EdgeAssembly);
        foreach (var (key, value) in _settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["Edge__Upstream__SharedAccessKey"] = _key;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"centrum-edge exited with {process.ExitCode}:\n{Log}");
            }

            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(Address, 8883);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "centrum-edge listens for downstream devices");
    }

    /// <summary>SIGKILL: nothing of the edge's shutdown runs, as in a crash or a power cut.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then the log is checked: an error the edge logged fails the test.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"centrum-edge did not stop within 30 s of SIGTERM. Its log:\n{Log}");
        }

        // The console log is what the check reads: it must be there for an absence of errors to mean anything.
        Assert.Contains(_log, l => l.StartsWith("info:", StringComparison.Ordinal));
        var errors = _log.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"centrum-edge logged errors:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
