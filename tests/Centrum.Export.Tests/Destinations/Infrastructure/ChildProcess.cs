using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>
/// A server the tests start (Azurite, nats-server) on a port of their own: ready once the port accepts connections,
/// killed with its whole process tree when disposed.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process) => _process = process;

    public string Output => string.Join('\n', _output);

    /// <summary>A port free at the moment of asking: bound to port 0, then released for the child to take.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ChildProcess> StartAsync(string fileName, IEnumerable<string> arguments, int port, string what)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var child = new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}."));
        child._process.OutputDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        child._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(async () =>
            {
                if (child._process.HasExited)
                {
                    throw new InvalidOperationException($"{what} exited with {child._process.ExitCode}:\n{child.Output}");
                }

                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), $"{what} listens on port {port}");
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
